using System.Buffers.Binary;

namespace Cairn.Ctl.Snapshot;

/// <summary>
/// A read-only reader of a bbolt database file (etcd's backend, and what `snapshot save` downloads from etcd): the
/// newer valid meta page, then the root bucket's B+tree and each bucket's, including inline buckets. Enough for
/// `snapshot status`; nothing is ever written.
/// </summary>
internal sealed class BoltFile
{
    private const uint Magic = 0xED0CDAED;
    private const ushort BranchPage = 0x01;
    private const ushort LeafPage = 0x02;
    private const ushort MetaPage = 0x04;
    private const uint BucketLeafFlag = 0x01;
    private const int PageHeaderSize = 16;
    private const int ElementSize = 16;

    private readonly byte[] _data;
    private readonly int _pageSize;
    private readonly ulong _rootPage;

    private BoltFile(byte[] data, int pageSize, ulong rootPage, ulong highWaterMark)
    {
        _data = data;
        _pageSize = pageSize;
        _rootPage = rootPage;
        Size = (long)highWaterMark * pageSize;
    }

    /// <summary>Bytes in use by the database: high-water page id × page size (bbolt's Tx.Size()).</summary>
    public long Size { get; }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="InvalidDataException"/> if it is not bbolt.</summary>
    public static BoltFile Open(string path) => Parse(File.ReadAllBytes(path));

    public static BoltFile Parse(byte[] data)
    {
        if (data.Length < 64)
        {
            throw new InvalidDataException("file size too small");
        }

        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(PageHeaderSize + 8));
        if (pageSize is < 512 or > 1 << 20)
        {
            throw new InvalidDataException("invalid database (not a bbolt file: bad page size)");
        }

        Meta? best = null;
        foreach (var page in new[] { 0, 1 })
        {
            if (TryMeta(data, page * pageSize, out var meta) && (best is null || meta.TxId > best.Value.TxId))
            {
                best = meta;
            }
        }

        if (best is not { } chosen)
        {
            throw new InvalidDataException("invalid database (no valid meta page)");
        }

        return new BoltFile(data, chosen.PageSize, chosen.Root, chosen.HighWaterMark);
    }

    /// <summary>Every top-level bucket name, in key order, with the bucket's own key/value pairs in order.</summary>
    public IEnumerable<(byte[] Name, IEnumerable<(byte[] Key, byte[] Value)> Items)> Buckets()
    {
        foreach (var (key, value, flags) in Walk(PageAt(_rootPage)))
        {
            if ((flags & BucketLeafFlag) == 0)
            {
                throw new InvalidDataException($"cannot get hash of bucket {System.Text.Encoding.UTF8.GetString(key)}");
            }

            yield return (key, BucketItems(value));
        }
    }

    private IEnumerable<(byte[] Key, byte[] Value)> BucketItems(byte[] header)
    {
        var root = BinaryPrimitives.ReadUInt64LittleEndian(header);
        var page = root == 0 ? new ArraySegment<byte>(header, 16, header.Length - 16) : PageAt(root);
        foreach (var (key, value, flags) in Walk(page))
        {
            yield return (key, (flags & BucketLeafFlag) != 0 ? [] : value);
        }
    }

    private ArraySegment<byte> PageAt(ulong id)
    {
        var offset = (long)id * _pageSize;
        if (offset < 0 || offset + PageHeaderSize > _data.Length)
        {
            throw new InvalidDataException($"page {id} is beyond the end of the file");
        }

        var overflow = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan((int)offset + 12));
        var length = Math.Min((long)(overflow + 1) * _pageSize, _data.Length - offset);
        return new ArraySegment<byte>(_data, (int)offset, (int)length);
    }

    /// <summary>In-order traversal of the subtree at <paramref name="page"/>: (key, value, leaf flags).</summary>
    private IEnumerable<(byte[] Key, byte[] Value, uint Flags)> Walk(ArraySegment<byte> page)
    {
        var span = page.AsSpan();
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(span[8..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[10..]);
        var items = new List<(byte[], byte[], uint)>();
        var children = new List<ulong>();
        for (var i = 0; i < count; i++)
        {
            var element = PageHeaderSize + (i * ElementSize);
            if (flags == BranchPage)
            {
                children.Add(BinaryPrimitives.ReadUInt64LittleEndian(span[(element + 8)..]));
            }
            else if (flags == LeafPage)
            {
                var leafFlags = BinaryPrimitives.ReadUInt32LittleEndian(span[element..]);
                var pos = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(element + 4)..]);
                var keySize = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(element + 8)..]);
                var valueSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(element + 12)..]);
                var start = element + pos;
                if (start < 0 || start + keySize + valueSize > span.Length)
                {
                    throw new InvalidDataException("leaf element out of its page");
                }

                items.Add((span.Slice(start, keySize).ToArray(), span.Slice(start + keySize, valueSize).ToArray(), leafFlags));
            }
            else
            {
                throw new InvalidDataException($"unexpected page type {flags:x}");
            }
        }

        if (flags == LeafPage)
        {
            foreach (var item in items)
            {
                yield return item;
            }

            yield break;
        }

        foreach (var child in children)
        {
            foreach (var item in Walk(PageAt(child)))
            {
                yield return item;
            }
        }
    }

    private static bool TryMeta(byte[] data, int offset, out Meta meta)
    {
        meta = default;
        if (offset + PageHeaderSize + 64 > data.Length)
        {
            return false;
        }

        var page = data.AsSpan(offset);
        if ((BinaryPrimitives.ReadUInt16LittleEndian(page[8..]) & MetaPage) == 0)
        {
            return false;
        }

        var m = page[PageHeaderSize..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(m) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(m[4..]) != 2)
        {
            return false;
        }

        // FNV-1a 64 over the meta up to its checksum field.
        var hash = 14695981039346656037UL;
        foreach (var b in m[..56])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        if (hash != BinaryPrimitives.ReadUInt64LittleEndian(m[56..]))
        {
            return false;
        }

        meta = new Meta(
            (int)BinaryPrimitives.ReadUInt32LittleEndian(m[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(m[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(m[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(m[48..]));
        return true;
    }

    private readonly record struct Meta(int PageSize, ulong Root, ulong HighWaterMark, ulong TxId);
}
