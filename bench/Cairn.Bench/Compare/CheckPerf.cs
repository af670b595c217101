using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Bench.Compare;

/// <summary>
/// Runs the real <c>etcdctl check perf --load=L</c> against a server (60 s of paced puts from many clients, then a
/// delete of its prefix) and reads its verdict: the last line PASS or FAIL, the writes/s and the slowest request.
/// </summary>
internal static partial class CheckPerf
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    public static async Task<CheckPerfResult> RunAsync(ServerUnderTest server, string load, CancellationToken cancellationToken)
    {
        var result = await server.Cluster.Etcdctl().RunAsync(["check", "perf", $"--load={load}"], stdin: null, Timeout, cancellationToken).ConfigureAwait(false);
        var output = result.Stdout + result.Stderr;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int? writes = WritesPattern().Match(output) is { Success: true } w ? int.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        double? slowest = SlowestPattern().Match(output) is { Success: true } s ? double.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var verdicts = lines.Where(l => l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal) || l.Contains("too", StringComparison.Ordinal));
        return new CheckPerfResult(server.Name, load, result.Succeeded && lines.LastOrDefault() == "PASS", writes, slowest, string.Join("; ", verdicts));
    }

    [GeneratedRegex(@"Throughput (?:is|too low:) (\d+) writes/s")]
    private static partial Regex WritesPattern();

    [GeneratedRegex(@"Slowest request took (?:too long: )?([0-9.]+)s")]
    private static partial Regex SlowestPattern();
}
