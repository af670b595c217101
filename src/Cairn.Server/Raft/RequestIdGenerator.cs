namespace Cairn.Server.Raft;

/// <summary>
/// Unique request IDs as etcd's idutil.Generator makes them: the member ID's low 16 bits, then 40 bits of
/// milliseconds at start, then an 8-bit counter that carries into the timestamp. IDs from different members never
/// collide, and a restarted member starts above its previous IDs.
/// </summary>
internal sealed class RequestIdGenerator(ulong memberId, TimeProvider time)
{
    private const int TsLen = 40;
    private const int CntLen = 8;
    private const int SuffixLen = TsLen + CntLen;
    private readonly ulong prefix = memberId << SuffixLen;
    private long suffix = (long)((LowBits((ulong)time.GetUtcNow().ToUnixTimeMilliseconds(), TsLen)) << CntLen);

    public ulong Next()
    {
        var next = (ulong)Interlocked.Increment(ref suffix);
        return prefix | LowBits(next, SuffixLen);
    }

    private static ulong LowBits(ulong x, int n) => x & (ulong.MaxValue >> (64 - n));
}
