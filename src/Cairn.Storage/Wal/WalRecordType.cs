namespace Cairn.Storage.Wal;

/// <summary>Record types of the WAL frame header (see the format in Wal.cs). Zero is reserved: it marks the end of data.</summary>
internal enum WalRecordType : byte
{
    Metadata = 1,
    Entry = 2,
    State = 3,
    Crc = 4,
    Snapshot = 5,
}
