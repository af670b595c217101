using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Testing;
using Grpc.Core;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Apply;

/// <summary>The subtle rows of <see cref="TxnChecks"/> (nested op budgets, empty ops, checkIntervals quirks) put to
/// real etcd 3.4 with --max-txn-ops 4: Cairn must refuse exactly what etcd refuses, with the same message.</summary>
[Collection("Processes")]
public sealed class TxnChecksEtcdTests
{
    private const int Max = 4;

    private static IEnumerable<RequestOp> Puts(int n, string prefix) => Enumerable.Range(0, n).Select(i => Put($"{prefix}{i}"));

    private const string Ok = "accepted";
    private static readonly string TooMany = EtcdErrors.TooManyOps.Message;
    private static readonly string NotFound = EtcdErrors.KeyNotFound.Message;
    private static readonly string Duplicate = EtcdErrors.DuplicateKey.Message;

    private static readonly (string Name, string Expected, TxnRequest Txn)[] Cases =
    [
        ("nested within the remaining budget", Ok, Txn(success: [Put("a"), Nested(Txn(success: Puts(2, "n")))])),
        ("nested over the remaining budget", TooMany, Txn(success: [Put("a"), Nested(Txn(success: Puts(3, "n")))])),
        ("compares shrink the nested budget", TooMany, Txn(success: [Nested(Txn(success: Puts(2, "n")))], compare: [VersionIs("c0", 0), VersionIs("c1", 0), VersionIs("c2", 0)])),
        ("budget shrinks per level", TooMany, Txn(success: [Nested(Txn(success: [Put("m"), Nested(Txn(success: Puts(2, "i")))]))])),
        ("full outer list leaves no room", TooMany, Txn(success: [.. Puts(3, "o"), Nested(Txn(success: [Put("n")]))])),
        ("empty request op", NotFound, Txn(success: [Put("a"), new RequestOp()])),
        ("empty request op nested", NotFound, Txn(failure: [Nested(Txn(success: [new RequestOp()]))])),
        ("delete with range_end NUL then put", Ok, Txn(success: [Del("a", "\0"), Put("b")])),
        ("put inside a delete range", Duplicate, Txn(success: [Del("a", "c"), Put("b")])),
        ("earlier nested put, later nested delete", Ok, Txn(success: [Nested(Txn(success: [Put("b")])), Nested(Txn(success: [Del("a", "c")]))])),
        ("earlier nested delete, later nested put", Duplicate, Txn(success: [Nested(Txn(success: [Del("a", "c")])), Nested(Txn(success: [Put("b")]))])),
        ("nested then and else put one key", Ok, Txn(success: [Nested(Txn(success: [Put("k", "1")], failure: [Put("k", "2")]))])),
        ("two nested txns put one key", Duplicate, Txn(success: [Nested(Txn(success: [Put("k")])), Nested(Txn(failure: [Put("k")]))])),
        ("nested put of an outer key", Duplicate, Txn(success: [Put("k"), Nested(Txn(failure: [Put("k")]))])),
    ];

    private static string CairnOutcome(TxnRequest txn)
    {
        try
        {
            TxnChecks.CheckTxn(txn, Max);
            return Ok;
        }
        catch (EtcdException e)
        {
            return e.Message;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task CheckTxn_RefusesWhatEtcdRefuses()
    {
        await using var etcd = await EtcdOracle.StartAsync(new ClusterOptions { ExtraArguments = ["--max-txn-ops", Max.ToString(System.Globalization.CultureInfo.InvariantCulture)] });
        using var client = etcd.CreateClient();
        var mismatches = new List<string>();
        foreach (var (name, expected, txn) in Cases)
        {
            string etcdSays;
            try
            {
                await client.KV.TxnAsync(txn);
                etcdSays = Ok;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                etcdSays = e.Status.Detail;
            }
            var cairnSays = CairnOutcome(txn);
            if (etcdSays != expected || cairnSays != expected)
            {
                mismatches.Add($"{name}: expected {expected}, etcd {etcdSays}, cairn {cairnSays}");
            }
        }
        Assert.Empty(mismatches);
    }
}
