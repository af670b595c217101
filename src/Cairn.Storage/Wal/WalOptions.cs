namespace Cairn.Storage.Wal;

public sealed record WalOptions
{
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    /// <summary>How far ahead of the tail offset the zeroer keeps the segment written with zeros (see WalZeroer).</summary>
    internal const long DefaultZeroLeadBytes = 4L * 1024 * 1024;

    /// <summary>Bytes the zeroer writes (then fdatasyncs) per step.</summary>
    internal const int DefaultZeroChunkBytes = 1024 * 1024;

    /// <summary>Preallocated size of a segment; a new segment is cut once an append reaches it. Small in tests.</summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>Zeroed region kept ahead of the tail offset; 0 leaves the preallocated space as it is. Small in tests.</summary>
    internal long ZeroLeadBytes { get; init; } = DefaultZeroLeadBytes;

    /// <summary>Size of one zeroing step, a multiple of 4 KiB. Small in tests.</summary>
    internal int ZeroChunkBytes { get; init; } = DefaultZeroChunkBytes;

    public static WalOptions Default { get; } = new();
}
