namespace Cairn.Storage.Mvcc;

/// <summary>
/// The index record of one key, stored inline in its leaf (no object per key). Its history is the ordered list of
/// events (main, sub, tombstone?) still needed: the newest inline (Last*), the older ones as (main, sub&lt;&lt;1|tomb)
/// pairs in <see cref="History"/>. A tombstone ends a generation; Created/Version/Lease describe the live generation.
/// </summary>
internal struct KeyEntry
{
    public int KeyOffset;
    public int KeyLength;
    public long LastMain;
    /// <summary>sub &lt;&lt; 1 | 1 when the newest event is a tombstone.</summary>
    public int LastSubFlags;
    public int HistoryCount;
    public long Created;
    public long Version;
    public long Lease;
    public long[]? History;

    public readonly bool IsLive => (LastSubFlags & 1) == 0;

    public static int Flags(long sub, bool tombstone) => checked((int)(sub << 1)) | (tombstone ? 1 : 0);

    /// <summary>The revision of the key's value at <paramref name="atRev"/>; false if absent (never written or deleted).</summary>
    public readonly bool TryAt(long atRev, out long main, out int sub)
    {
        int flags;
        if (LastMain <= atRev)
        {
            main = LastMain;
            flags = LastSubFlags;
        }
        else
        {
            int i = LastAtOrBefore(atRev);
            if (i < 0)
            {
                main = 0;
                sub = 0;
                return false;
            }
            main = History![2 * i];
            flags = (int)History[2 * i + 1];
        }
        sub = flags >> 1;
        return (flags & 1) == 0;
    }

    /// <summary>Appends an event newer than all others.</summary>
    public void Append(long main, int subFlags)
    {
        int need = 2 * HistoryCount + 2;
        if (History is null || History.Length < need)
        {
            long[] grown = new long[Math.Max(4, 2 * (History?.Length ?? 0))];
            if (History is not null)
            {
                Array.Copy(History, grown, 2 * HistoryCount);
            }
            History = grown;
        }
        History[2 * HistoryCount] = LastMain;
        History[2 * HistoryCount + 1] = LastSubFlags;
        HistoryCount++;
        LastMain = main;
        LastSubFlags = subFlags;
    }

    /// <summary>
    /// Drops the events that no read at or after <paramref name="atRev"/> needs: everything before the newest event at or
    /// below it, and that event too when it is a tombstone. Dropped events go to <paramref name="removed"/>.
    /// Returns true when nothing is left (the key leaves the index).
    /// </summary>
    public bool Compact(long atRev, List<(long Main, int SubFlags)> removed)
    {
        int total = HistoryCount + 1;
        int j = LastMain <= atRev ? HistoryCount : LastAtOrBefore(atRev);
        if (j < 0)
        {
            return false;
        }
        int jFlags = j == HistoryCount ? LastSubFlags : (int)History![2 * j + 1];
        int drop = (jFlags & 1) != 0 ? j + 1 : j;
        if (drop == 0)
        {
            return false;
        }
        for (int i = 0; i < drop; i++)
        {
            removed.Add(i == HistoryCount ? (LastMain, LastSubFlags) : (History![2 * i], (int)History[2 * i + 1]));
        }
        if (drop == total)
        {
            return true;
        }
        int left = HistoryCount - drop;
        if (left == 0)
        {
            History = null;
        }
        else
        {
            long[] kept = new long[2 * left];
            Array.Copy(History!, 2 * drop, kept, 0, 2 * left);
            History = kept;
        }
        HistoryCount = left;
        return false;
    }

    /// <summary>Index in <see cref="History"/> of the newest event with main &lt;= atRev, or -1.</summary>
    private readonly int LastAtOrBefore(long atRev)
    {
        int lo = 0;
        int hi = HistoryCount - 1;
        int found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (History![2 * mid] <= atRev)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }
}
