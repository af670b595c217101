namespace Cairn.Storage.Wal;

/// <summary>
/// The WAL cannot be trusted: a bad frame that is not a torn tail, a broken CRC chain, an entry gap, conflicting
/// metadata or a missing snapshot marker. The member must refuse to start; the message names the file and byte offset.
/// </summary>
public sealed class WalCorruptException : Exception
{
    public WalCorruptException(string reason, string? file = null, long offset = -1)
        : base(file is null ? $"wal: {reason}" : $"wal: {reason} in {file} at offset {offset}")
    {
        File = file;
        Offset = offset;
    }

    /// <summary>The segment file at fault, when one is.</summary>
    public string? File { get; }

    /// <summary>Byte offset of the bad frame in <see cref="File"/>, or -1.</summary>
    public long Offset { get; }
}
