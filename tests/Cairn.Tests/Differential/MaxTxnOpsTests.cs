using Cairn.Testing;
using Grpc.Core;
using static Cairn.Api.Etcdserverpb.Compare.Types;
using static Cairn.Tests.Differential.Kv;

namespace Cairn.Tests.Differential;

/// <summary>Both servers started with --max-txn-ops 4: the limit follows the flag, per list.</summary>
[Collection("Processes")]
public sealed class MaxTxnOpsTests : DifferentialTest
{
    protected override ClusterOptions Options => new() { ExtraArguments = ["--max-txn-ops", "4"] };

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_MaxTxnOpsFlag_LimitsEveryList()
    {
        var four = Enumerable.Range(0, 4).Select(i => Op(Put($"k{i}", "v"))).ToList();
        await D.Txn(Txn(Enumerable.Range(0, 4).Select(_ => Version("k0", CompareResult.Equal, 0)), four, four.Select(_ => Op(Get("k0"))))).Ok();

        var error = await D.Txn(Txn([], [.. four, Op(Put("k4", "v"))])).Failed();
        await D.Txn(Txn(Enumerable.Range(0, 5).Select(_ => Version("k0", CompareResult.Equal, 0)), [])).Failed();
        await D.Txn(Txn([], [], Enumerable.Range(0, 5).Select(_ => Op(Get("k0"))))).Failed();
        await D.Range(All()).Ok();

        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: too many operations in txn request"), (error.StatusCode, error.Detail));
    }
}
