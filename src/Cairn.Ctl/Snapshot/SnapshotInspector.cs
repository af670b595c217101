using System.Buffers.Binary;
using Cairn.Ctl.Printers;

namespace Cairn.Ctl.Snapshot;

/// <summary>
/// `snapshot status`: etcd's snapshot.Status over a bbolt file: a CRC-32C over every bucket name and key/value pair,
/// the revision of the last key in the "key" bucket, the number of keys, and the size in use.
/// </summary>
internal static class SnapshotInspector
{
    public static SnapshotStatus Status(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"stat {path}: no such file or directory", path);
        }

        var db = BoltFile.Open(path);
        var crc = new Crc32Castagnoli();
        long revision = 0;
        long keys = 0;
        foreach (var (name, items) in db.Buckets())
        {
            crc.Append(name);
            var isKeyBucket = name.AsSpan().SequenceEqual("key"u8);
            foreach (var (key, value) in items)
            {
                crc.Append(key);
                crc.Append(value);
                if (isKeyBucket && key.Length >= 8)
                {
                    revision = BinaryPrimitives.ReadInt64BigEndian(key);
                }

                keys++;
            }
        }

        return new SnapshotStatus(crc.Value, revision, keys, db.Size);
    }
}
