using System.Text;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Testing;

/// <summary>
/// Differential testing: every request goes first to real etcd (the oracle) and then to the server under test, and the
/// two answers must be equal field by field after <see cref="ResponseIds"/> (IDs and terms aside), or be the same gRPC
/// status code with the same message. Each test gets fresh servers, so revisions line up from 1.
/// </summary>
public sealed class Differ : IAsyncDisposable
{
    private readonly List<string> _steps = [];
    private readonly Func<IMessage, IMessage, string, bool>? _equivalent;

    private Differ(EtcdOracle oracle, ProcessCluster subject, Func<IMessage, IMessage, string, bool>? equivalent)
    {
        Oracle = oracle;
        Subject = subject;
        Expected = oracle.CreateClient();
        Actual = subject.CreateClient();
        _equivalent = equivalent;
    }

    public EtcdOracle Oracle { get; }

    public ProcessCluster Subject { get; }

    /// <summary>The oracle's client (real etcd).</summary>
    public EtcdClient Expected { get; }

    /// <summary>The client of the server under test.</summary>
    public EtcdClient Actual { get; }

    /// <summary>Every step so far with the oracle's outcome, for failure messages.</summary>
    public IReadOnlyList<string> Steps => _steps;

    /// <summary>
    /// Starts the oracle and the server under test with the same <paramref name="options"/>. <paramref name="equivalent"/>
    /// may accept documented 3.4-versus-3.5 differences (docs/compat.md): given (oracle, subject, step) after IDs are
    /// cleared and the two are not equal, it returns true when the difference is a documented one.
    /// </summary>
    public static async Task<Differ> StartAsync(
        ServerBinary subject, ClusterOptions? options = null, Func<IMessage, IMessage, string, bool>? equivalent = null,
        CancellationToken cancellationToken = default)
    {
        var oracleTask = EtcdOracle.StartAsync(options, cancellationToken);
        var subjectTask = ProcessCluster.StartAsync(subject, 1, options, cancellationToken);
        try
        {
            await Task.WhenAll(oracleTask, subjectTask).ConfigureAwait(false);
        }
        catch
        {
            if (oracleTask.IsCompletedSuccessfully)
            {
                await oracleTask.Result.DisposeAsync().ConfigureAwait(false);
            }

            if (subjectTask.IsCompletedSuccessfully)
            {
                await subjectTask.Result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new Differ(await oracleTask.ConfigureAwait(false), await subjectTask.ConfigureAwait(false), equivalent);
    }

    public Task<Outcome<RangeResponse>> Range(RangeRequest request) =>
        Same($"Range {ProtoText.OneLine(request)}", (c, o) => c.KV.RangeAsync(request, o));

    public Task<Outcome<PutResponse>> Put(PutRequest request) =>
        Same($"Put {ProtoText.OneLine(request)}", (c, o) => c.KV.PutAsync(request, o));

    public Task<Outcome<PutResponse>> Put(string key, string value) =>
        Put(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) });

    public Task<Outcome<DeleteRangeResponse>> Delete(DeleteRangeRequest request) =>
        Same($"DeleteRange {ProtoText.OneLine(request)}", (c, o) => c.KV.DeleteRangeAsync(request, o));

    public Task<Outcome<TxnResponse>> Txn(TxnRequest request) =>
        Same($"Txn {ProtoText.OneLine(request)}", (c, o) => c.KV.TxnAsync(request, o));

    public Task<Outcome<CompactionResponse>> Compact(CompactionRequest request) =>
        Same($"Compact {ProtoText.OneLine(request)}", (c, o) => c.KV.CompactAsync(request, o));

    /// <summary>Sends one unary call to the oracle, then to the subject, and demands the same outcome.</summary>
    public async Task<Outcome<T>> Same<T>(string step, Func<EtcdClient, CallOptions, AsyncUnaryCall<T>> call)
        where T : class, IMessage<T>
    {
        var expected = await Call(Expected, call).ConfigureAwait(false);
        var actual = await Call(Actual, call).ConfigureAwait(false);
        _steps.Add($"{step} -> {expected}");
        Compare(step, expected, actual);
        return expected;
    }

    public async ValueTask DisposeAsync()
    {
        Expected.Dispose();
        Actual.Dispose();
        await Oracle.DisposeAsync().ConfigureAwait(false);
        await Subject.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<Outcome<T>> Call<T>(EtcdClient client, Func<EtcdClient, CallOptions, AsyncUnaryCall<T>> call)
        where T : class, IMessage<T>
    {
        try
        {
            var response = await call(client, new CallOptions(deadline: DateTime.UtcNow + EtcdClient.DefaultDeadline)).ConfigureAwait(false);
            return new Outcome<T>(ResponseIds.Cleared(response), null);
        }
        catch (RpcException e)
        {
            return new Outcome<T>(null, e.Status);
        }
    }

    private void Compare<T>(string step, Outcome<T> expected, Outcome<T> actual)
        where T : class, IMessage<T>
    {
        if (expected.Response is { } e && actual.Response is { } a)
        {
            if (e.Equals(a) || (_equivalent?.Invoke(e, a, step) ?? false))
            {
                return;
            }

            throw Difference(step, "responses differ", ProtoText.Format(e), ProtoText.Format(a));
        }

        if (expected.Error is { } ee && actual.Error is { } ae)
        {
            if (ee.StatusCode == ae.StatusCode && ee.Detail == ae.Detail)
            {
                return;
            }

            throw Difference(step, "errors differ", $"{ee.StatusCode} \"{ee.Detail}\"", $"{ae.StatusCode} \"{ae.Detail}\"");
        }

        throw Difference(step, "one failed, one answered", Describe(expected), Describe(actual));
    }

    private static string Describe<T>(Outcome<T> outcome) where T : class, IMessage<T> =>
        outcome.Response is { } r ? ProtoText.Format(r) : $"{outcome.Error!.Value.StatusCode} \"{outcome.Error.Value.Detail}\"";

    private DifferenceException Difference(string step, string what, string expected, string actual)
    {
        var text = new StringBuilder();
        text.Append(what).Append(" at step ").Append(_steps.Count).Append(": ").AppendLine(step);
        text.AppendLine("etcd (oracle):").AppendLine(Indent(expected));
        text.AppendLine($"{Subject.Binary} (subject):").AppendLine(Indent(actual));
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var first = Enumerable.Range(0, Math.Max(expectedLines.Length, actualLines.Length))
            .FirstOrDefault(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i], -1);
        if (first >= 0)
        {
            text.Append("first difference at line ").Append(first + 1).Append(": etcd `")
                .Append(first < expectedLines.Length ? expectedLines[first].Trim() : "(none)").Append("` vs `")
                .Append(first < actualLines.Length ? actualLines[first].Trim() : "(none)").AppendLine("`");
        }

        text.AppendLine("steps so far:");
        foreach (var s in _steps.TakeLast(20))
        {
            text.Append("  ").AppendLine(s);
        }

        return new DifferenceException(text.ToString());
    }

    private static string Indent(string text) => "  " + text.Replace("\n", "\n  ", StringComparison.Ordinal);
}
