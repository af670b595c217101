using System.CommandLine;
using Cairn.Bench.Load;
using Cairn.Bench.Reporting;
using Cairn.Bench.Workloads;
using Grpc.Core;

namespace Cairn.Bench.Cli;

/// <summary>
/// One command per workload (<c>cairn-bench put</c>, <c>range</c>, ...) against servers that are already running: the
/// common load options plus the workload's own. Exit code 0 when every request succeeded, 1 when some failed, 2 for
/// bad options.
/// </summary>
internal static class WorkloadCommand
{
    public static Command Create(WorkloadKind kind)
    {
        var options = new LoadOptions();
        var command = new Command(kind.Name, kind.Description);
        options.AddTo(command);
        var extras = new List<Func<ParseResult, LoadSettings, LoadSettings>>();
        if (kind == WorkloadKind.Range || kind == WorkloadKind.Mixed)
        {
            var consistency = new Option<string>("--consistency") { Description = "l (linearizable) or s (serializable)", DefaultValueFactory = _ => "l" };
            consistency.AcceptOnlyFromAmong("l", "s");
            command.Options.Add(consistency);
            extras.Add((r, s) => s with { Serializable = r.GetValue(consistency) == "s" });
        }

        if (kind == WorkloadKind.TxnPut)
        {
            var txnOps = new Option<int>("--txn-ops") { Description = "puts per transaction", DefaultValueFactory = _ => 1 };
            command.Options.Add(txnOps);
            extras.Add((r, s) => s with { TxnOps = r.GetValue(txnOps) });
        }

        if (kind == WorkloadKind.Mixed)
        {
            var ratio = new Option<double>("--rw-ratio") { Description = "reads per write", DefaultValueFactory = _ => 1 };
            command.Options.Add(ratio);
            extras.Add((r, s) => s with { ReadWriteRatio = r.GetValue(ratio) });
        }

        if (kind == WorkloadKind.Watch)
        {
            var watchers = new Option<int>("--watchers") { Description = "watchers on the watched prefix", DefaultValueFactory = _ => 100 };
            var streams = new Option<int>("--streams") { Description = "gRPC watch streams the watchers share", DefaultValueFactory = _ => 10 };
            command.Options.Add(watchers);
            command.Options.Add(streams);
            extras.Add((r, s) => s with { Watchers = r.GetValue(watchers), Streams = r.GetValue(streams) });
        }

        if (kind == WorkloadKind.LeaseKeepAlive)
        {
            var ttl = new Option<long>("--ttl") { Description = "lease TTL in seconds", DefaultValueFactory = _ => 60 };
            command.Options.Add(ttl);
            extras.Add((r, s) => s with { LeaseTtl = r.GetValue(ttl) });
        }

        Option<bool>? skipPrefill = null;
        if (kind.NeedsPrefill)
        {
            skipPrefill = new Option<bool>("--skip-prefill") { Description = "do not write the key space first (it is already there)" };
            command.Options.Add(skipPrefill);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            LoadSettings settings;
            try
            {
                settings = extras.Aggregate(options.Read(result), (s, extra) => extra(result, s));
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            if ((settings.Invalid() ?? settings.Tls.Invalid()) is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            var json = options.Json(result);
            BenchReport report;
            try
            {
                report = await RunAsync(kind, settings, prefill: skipPrefill is null || !result.GetValue(skipPrefill), json, cancellationToken);
            }
            catch (Exception e) when (e is RpcException or LoadError or TimeoutException)
            {
                // Connecting, writing the key space or starting the workload (streams, leases) failed: no load ran.
                Console.Error.WriteLine($"{kind.Name} could not start against {string.Join(',', settings.Endpoints)}: {(e is RpcException rpc ? $"{rpc.StatusCode} {rpc.Status.Detail}" : e.Message)}");
                return 1;
            }

            if (json)
            {
                ReportWriter.WriteJson(report);
            }
            else
            {
                ReportWriter.WriteText(report);
            }

            return report.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<BenchReport> RunAsync(WorkloadKind kind, LoadSettings settings, bool prefill, bool json, CancellationToken cancellationToken)
    {
        using var connections = Connections.Open(settings);
        await connections.WarmAsync(cancellationToken);
        if (kind.NeedsPrefill && prefill)
        {
            Console.Error.WriteLine($"writing the key space first: {settings.KeySpaceSize} keys of {settings.ValueSize} B");
            await Prefill.RunAsync(settings, connections, cancellationToken);
        }

        var workload = kind.Create(settings);
        var runner = new LoadRunner(settings, workload);
        var samples = ProgressView.Wanted(json)
            ? await ProgressView.RunAsync(kind.Name, runner, () => runner.RunAsync(connections, cancellationToken))
            : await runner.RunAsync(connections, cancellationToken);
        return BenchReport.From(kind.Name, workload.Series, string.Join(',', settings.Endpoints), settings, [samples]);
    }
}
