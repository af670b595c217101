using System.Collections.Concurrent;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// Keeps a repeating TLS failure (a peer redialing every second with the same wrong certificate) to one log line per
/// window: the first occurrence is logged at once, repeats within the window are counted and reported with the next
/// line for the same key.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan window)
{
    private const int MaxKeys = 1024;
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>True when a line for <paramref name="key"/> should be logged now; <paramref name="suppressed"/> is
    /// how many were held back since the last one.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        var now = time.GetTimestamp();
        if (entries.Count > MaxKeys)
        {
            entries.Clear();
        }

        var entry = entries.GetOrAdd(key, _ => new Entry());
        lock (entry)
        {
            if (entry.LastLogged is { } last && time.GetElapsedTime(last, now) < window)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            entry.LastLogged = now;
            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            return true;
        }
    }

    private sealed class Entry
    {
        public long? LastLogged { get; set; }

        public int Suppressed { get; set; }
    }
}
