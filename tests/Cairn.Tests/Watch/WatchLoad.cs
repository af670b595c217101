using System.Diagnostics;
using System.Globalization;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;

namespace Cairn.Tests.Watch;

/// <summary>Load helpers shared by the scale and rate tests.</summary>
internal static class WatchLoad
{
    /// <summary>Puts every key once with 64 requests in flight; returns how long it took.</summary>
    public static async Task<TimeSpan> Burst(EtcdClient client, IReadOnlyList<string> keys)
    {
        var clock = Stopwatch.StartNew();
        var next = -1;
        var value = ByteString.CopyFromUtf8("v");
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys.Count)
            {
                await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(keys[i]), Value = value });
            }
        }));
        return clock.Elapsed;
    }

    /// <summary>A process's resident set size in bytes (Linux /proc).</summary>
    public static long Rss(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
