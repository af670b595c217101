using BenchmarkDotNet.Attributes;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Google.Protobuf;

namespace Cairn.Benchmarks;

/// <summary>
/// MvccStore over SqliteBackend in a temp folder, as a member uses them: a put is one write txn (index update, the
/// revision's row in the backend batch, which commits every 100 ms in the background); a range is one read txn. The
/// store holds <see cref="Keys"/> keys of <see cref="ValueSize"/> bytes before measuring; puts overwrite them in turn.
/// </summary>
[MemoryDiagnoser]
public class MvccBenchmarks
{
    private const int Keys = 10_000;

    private TempDirectory _dir = null!;
    private SqliteBackend _backend = null!;
    private MvccStore _store = null!;
    private byte[][] _keys = [];
    private ByteString _value = ByteString.Empty;
    private int _next;

    [Params(256)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("cairn-bench-mvcc");
        _backend = new SqliteBackend(Path.Combine(_dir.Path, "db"));
        _store = new MvccStore(_backend);
        _keys = Enumerable.Range(0, Keys).Select(i => System.Text.Encoding.ASCII.GetBytes($"key/{i:D8}")).ToArray();
        _value = ByteString.CopyFrom(new byte[ValueSize]);
        for (var i = 0; i < Keys; i += 1000)
        {
            using var txn = _store.Write();
            for (var k = i; k < Math.Min(i + 1000, Keys); k++)
            {
                txn.Put(_keys[k], _value.Span, 0);
            }

            txn.End();
        }

        _backend.ForceCommit();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _backend.Dispose();
        _dir.Dispose();
    }

    /// <summary>One put in its own write txn (what applying a Put request does).</summary>
    [Benchmark]
    public long Put()
    {
        using var txn = _store.Write();
        var rev = txn.Put(NextKey(), _value.Span, 0);
        txn.End();
        return rev;
    }

    /// <summary>One single-key range in its own read txn (a serializable Get).</summary>
    [Benchmark]
    public int RangeOneKey()
    {
        using var txn = _store.Read();
        return txn.Range(NextKey(), default, default).Kvs.Count;
    }

    /// <summary>A range of 100 consecutive keys (a prefix listing with --limit 100).</summary>
    [Benchmark]
    public int RangeHundredKeys()
    {
        using var txn = _store.Read();
        return txn.Range(NextKey(), "key0"u8, new RangeOptions { Limit = 100 }).Kvs.Count;
    }

    private byte[] NextKey()
    {
        var key = _keys[_next];
        _next = (_next + 1) % Keys;
        return key;
    }
}
