using System.CommandLine;
using Cairn.Bench.Compare;
using Cairn.Bench.Reporting;
using Cairn.Testing;
using Spectre.Console;

namespace Cairn.Bench.Cli;

/// <summary>
/// <c>cairn-bench compare</c>: starts real etcd and cairn and runs the same workloads against both (see
/// <see cref="CompareRunner"/>); prints <c>ratio &lt;workload&gt; &lt;cairn/etcd throughput&gt; &lt;cairn/etcd p99&gt;</c>
/// per workload as soon as it is measured, and writes bench/results/&lt;date&gt;.md and .png.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "short passes, fewer three-member workloads, no check perf or memory probe (under 5 minutes)" };
        var cairn = new Option<string?>("--cairn") { Description = "the cairn executable or cairn.dll; default: $CAIRN_BIN, else cairn beside cairn-bench" };
        var etcd = new Option<string?>("--etcd") { Description = "the etcd executable; default: $ETCD_BIN, else etcd on PATH" };
        var dataDir = new Option<string?>("--data-dir") { Description = "parent folder of both servers' data (same disk for both); default: the temp folder" };
        var resultsDir = new Option<string?>("--results-dir") { Description = "where <date>.md and <date>.png go; default: bench/results of the checkout around the working directory or cairn-bench" };
        var workloads = new Option<string?>("--workloads") { Description = "comma-separated name fragments: run only matching workloads (e.g. put-128c,range)" };
        var passes = new Option<int?>("--passes") { Description = "timed passes per server and workload (default 4)" };
        var pass = new Option<string?>("--pass-duration") { Description = "length of one pass, e.g. 10s (default 2s quick, 10s full)" };
        var rssKeys = new Option<int?>("--rss-keys") { Description = "keys for the memory probe (default 1000000; 0 skips it; --quick skips it)" };
        var skipCheckPerf = new Option<bool>("--skip-check-perf") { Description = "leave out etcdctl check perf --load=m and --load=l (--quick always does)" };
        var output = new Option<string>("--output", "-o") { Description = "simple or json", DefaultValueFactory = _ => "simple" };
        output.AcceptOnlyFromAmong("simple", "json");
        var command = new Command("compare", "start real etcd and cairn (1 and 3 members) and run the same workloads against both, alternating");
        foreach (var option in (Option[])[quick, cairn, etcd, dataDir, resultsDir, workloads, passes, pass, rssKeys, skipCheckPerf, output])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            ServerBinary cairnBinary, etcdBinary;
            TimeSpan? passLength;
            try
            {
                cairnBinary = result.GetValue(cairn) is { Length: > 0 } c ? ServerBinary.FromPath(c) : ServerBinary.Cairn;
                etcdBinary = result.GetValue(etcd) is { Length: > 0 } e ? ServerBinary.FromPath(e) : ServerBinary.Etcd;
                passLength = DurationText.Parse(result.GetValue(pass));
            }
            catch (Exception e) when (e is FileNotFoundException or FormatException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("compare needs a cairn build: `dotnet publish src/Cairn -c Release -o DIR`, then --cairn DIR/cairn (or CAIRN_BIN)");
                return 2;
            }

            var isQuick = result.GetValue(quick);
            var json = result.GetValue(output) == "json";
            var options = new CompareOptions
            {
                Etcd = etcdBinary,
                Cairn = cairnBinary,
                Quick = isQuick,
                DataDir = result.GetValue(dataDir) is { Length: > 0 } d ? Path.GetFullPath(d) : null,
                Only = (result.GetValue(workloads) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                RssKeys = isQuick ? 0 : result.GetValue(rssKeys) ?? 1_000_000,
                CheckPerf = !isQuick && !result.GetValue(skipCheckPerf),
                Passes = result.GetValue(passes),
                Pass = passLength,
            };

            // The ratio lines go to stdout as each workload finishes, unless stdout carries JSON.
            var ratioWriter = json ? Console.Error : Console.Out;
            var runner = new CompareRunner(options, message => Console.Error.WriteLine(message), c =>
            {
                ratioWriter.WriteLine(c.RatioLine);
                ratioWriter.Flush();
            });
            var compared = await runner.RunAsync(cancellationToken);
            var path = ResultsFile.Write(result.GetValue(resultsDir) ?? DefaultResultsDirectory(), compared);
            Console.Error.WriteLine($"results: {path} (and the chart beside it); {compared.Seconds:0} s");
            if (json)
            {
                ReportWriter.WriteJson(compared);
            }
            else
            {
                AnsiConsole.Write(new Markup($"[bold]cairn vs etcd[/] ({(isQuick ? "quick" : "full")}, load average {compared.Machine.LoadBefore} before, {compared.Machine.LoadAfter} after)\n"));
                Console.WriteLine(ResultsFile.Table(compared.Cases));
            }

            return compared.Cases.All(c => c.Etcd.Errors + c.Cairn.Errors == 0) ? 0 : 1;
        });
        return command;
    }

    /// <summary>bench/results of the checkout (the folder holding Cairn.slnx) around the working directory, else around cairn-bench, else ./bench/results.</summary>
    private static string DefaultResultsDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
                {
                    return Path.Combine(dir.FullName, "bench", "results");
                }
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "bench", "results");
    }
}
