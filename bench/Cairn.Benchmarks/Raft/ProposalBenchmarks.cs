using BenchmarkDotNet.Attributes;
using Google.Protobuf;

namespace Cairn.Benchmarks.Raft;

/// <summary>
/// Proposals through a three-node in-memory cluster, from Propose until every node has persisted, committed and
/// applied them. Each operation is one proposal, so the reported mean is the time per proposal (its inverse is
/// proposals per second) and "Allocated" is bytes allocated per proposal across the whole cluster.
/// <see cref="ProposeOneAndCommit"/> waits for each proposal (no batching); <see cref="ProposeBatchAndCommit"/>
/// proposes 64 before pumping, which is how a loaded server batches them into one Ready.
/// </summary>
[MemoryDiagnoser]
public class ProposalBenchmarks
{
    private const int Batch = 64;

    private InMemoryCluster _cluster = null!;
    private ByteString _payload = ByteString.Empty;

    /// <summary>Payload size in bytes.</summary>
    [Params(128)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new InMemoryCluster(3);
        _payload = ByteString.CopyFrom(new byte[PayloadSize]);
    }

    [Benchmark(OperationsPerInvoke = 1)]
    public void ProposeOneAndCommit()
    {
        _cluster.Propose(_payload);
        _cluster.Pump();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void ProposeBatchAndCommit()
    {
        for (int i = 0; i < Batch; i++)
        {
            _cluster.Propose(_payload);
        }

        _cluster.Pump();
    }
}
