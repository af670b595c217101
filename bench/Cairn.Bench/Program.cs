using System.CommandLine;
using Cairn.Bench;
using Cairn.Testing;
using Spectre.Console;

// cairn-bench: etcd benchmark-style workloads. `put` drives one server; `compare-put` runs the same put load against
// real etcd and against cairn in one run and prints `ratio put <cairn/etcd throughput> <cairn/etcd p99>`.
var root = new RootCommand("cairn-bench: etcd-style load generator for Cairn and etcd");
root.Subcommands.Add(PutCommand());
root.Subcommands.Add(ComparePutCommand());
return await root.Parse(args).InvokeAsync();

static Command PutCommand()
{
    var options = new LoadOptions();
    var endpoints = new Option<string>("--endpoints") { Description = "comma-separated gRPC endpoints", DefaultValueFactory = _ => "127.0.0.1:2379" };
    var command = new Command("put", "put load against running servers");
    command.Options.Add(endpoints);
    options.AddTo(command);
    command.SetAction(async (result, cancellationToken) =>
    {
        var settings = options.Read(result) with
        {
            Endpoints = result.GetValue(endpoints)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        if (options.Invalid(settings) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }

        var json = options.Json(result);
        var workload = new PutWorkload(settings);
        var report = json || Console.IsOutputRedirected
            ? await workload.RunAsync(string.Join(',', settings.Endpoints), cancellationToken)
            : await WithProgress(workload, settings.Total, w => w.RunAsync(string.Join(',', settings.Endpoints), cancellationToken));
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

static Command ComparePutCommand()
{
    var options = new LoadOptions();
    var cairn = new Option<string>("--cairn")
    {
        Description = "the cairn executable (or cairn.dll); default: $CAIRN_BIN",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_BIN") ?? "",
    };
    var etcd = new Option<string>("--etcd") { Description = "the etcd executable; default: etcd on PATH" };
    var dataDir = new Option<string>("--data-dir") { Description = "where both servers keep their temporary data (same disk for both); default: the temp folder" };
    var passes = new Option<int>("--passes") { Description = "alternating passes per server; --total is split across them", DefaultValueFactory = _ => 4 };
    var command = new Command("compare-put", "start real etcd and cairn on temp dirs and run the same put load against each");
    command.Options.Add(cairn);
    command.Options.Add(etcd);
    command.Options.Add(dataDir);
    command.Options.Add(passes);
    options.AddTo(command);
    command.SetAction(async (result, cancellationToken) =>
    {
        var settings = options.Read(result) with { Endpoints = [] };
        if (options.Invalid(settings) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }

        var passCount = result.GetValue(passes);
        if (passCount < 1 || passCount > settings.Total)
        {
            Console.Error.WriteLine("--passes must be between 1 and --total");
            return 2;
        }

        if (result.GetValue(cairn) is not { Length: > 0 } cairnPath)
        {
            Console.Error.WriteLine("compare-put needs --cairn PATH (or CAIRN_BIN)");
            return 2;
        }

        var json = options.Json(result);
        var etcdBinary = result.GetValue(etcd) is { Length: > 0 } etcdPath ? ServerBinary.FromPath(etcdPath) : ServerBinary.Etcd;
        var compared = await ComparePut.RunAsync(
            settings, passCount, etcdBinary, ServerBinary.FromPath(cairnPath), result.GetValue(dataDir), message => Console.Error.WriteLine(message), cancellationToken);
        if (json)
        {
            ReportWriter.WriteJson(compared);
        }
        else
        {
            ReportWriter.WriteText(compared.Etcd);
            ReportWriter.WriteText(compared.Cairn);
        }

        // With -o json stdout carries only the JSON (which has both ratios); the ratio line then goes to stderr.
        (json ? Console.Error : Console.Out).WriteLine(ReportWriter.RatioLine("put", compared.Cairn, compared.Etcd));
        return compared.Etcd.Errors + compared.Cairn.Errors == 0 ? 0 : 1;
    });
    return command;
}

static async Task<BenchReport> WithProgress(PutWorkload workload, int total, Func<PutWorkload, Task<BenchReport>> run)
{
    BenchReport? report = null;
    await AnsiConsole.Progress().StartAsync(async context =>
    {
        var task = context.AddTask("put", maxValue: total);
        var running = run(workload);
        while (!running.IsCompleted)
        {
            task.Value = workload.Completed;
            await Task.WhenAny(running, Task.Delay(200));
        }

        task.Value = total;
        report = await running;
    });
    return report!;
}
