using BenchmarkDotNet.Attributes;
using Cairn.Raft.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;

namespace Cairn.Benchmarks;

/// <summary>
/// WAL appends that must be durable (raft's MustSync), in a temp folder on the same disk as the servers' data. Each
/// operation is one entry of <see cref="PayloadSize"/> bytes plus its HardState; the batch variants append that many
/// entries with one fdatasync (group commit, as a loaded member's Ready carries many entries), so their per-operation
/// time is what one entry costs when the sync is shared.
/// </summary>
[MemoryDiagnoser]
public class WalBenchmarks
{
    private TempDirectory _dir = null!;
    private Wal _wal = null!;
    private ByteString _payload = ByteString.Empty;
    private ulong _index;

    [Params(256)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("cairn-bench-wal");
        _wal = Wal.Create(Path.Combine(_dir.Path, "wal"), "cairn-benchmarks"u8);
        _payload = ByteString.CopyFrom(new byte[PayloadSize]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _wal.Dispose();
        _dir.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 1)]
    public void AppendOneSynced() => Append(1);

    [Benchmark(OperationsPerInvoke = 16)]
    public void AppendBatchOf16Synced() => Append(16);

    [Benchmark(OperationsPerInvoke = 128)]
    public void AppendBatchOf128Synced() => Append(128);

    private void Append(int count)
    {
        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new Entry { Term = 1, Index = ++_index, Type = EntryType.EntryNormal, Data = _payload };
        }

        _wal.Save(new HardState { Term = 1, Vote = 1, Commit = _index }, entries, mustSync: true);
    }
}
