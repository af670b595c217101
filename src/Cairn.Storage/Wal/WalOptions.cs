namespace Cairn.Storage.Wal;

public sealed record WalOptions
{
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    /// <summary>Preallocated size of a segment; a new segment is cut once an append reaches it. Small in tests.</summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    public static WalOptions Default { get; } = new();
}
