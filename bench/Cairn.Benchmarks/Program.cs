using BenchmarkDotNet.Running;

namespace Cairn.Benchmarks;

/// <summary>
/// Entry point. Everything, at full length:
/// <c>dotnet run -c Release --project bench/Cairn.Benchmarks --artifacts-path DIR -- --filter '*'</c>; the CI smoke run
/// (each benchmark once, seconds in all): the same with <c>--filter '*' --job dry</c>.
/// <para>Two defaults are added unless given: <c>--inProcess</c>, because BenchmarkDotNet's default toolchain generates
/// and builds a project that rebuilds src/ outside the caller's --artifacts-path, colliding with other builds of the
/// same tree; and <c>--artifacts</c> in the temp folder, so result files stay out of the checkout.</para>
/// </summary>
public static class Program
{
    /// <summary>Exit code 1 when a benchmark failed to run (so CI's dry job catches a broken benchmark).</summary>
    public static int Main(string[] args)
    {
        var effective = args.ToList();
        if (!args.Any(a => a is "--inProcess" or "-i"))
        {
            effective.Add("--inProcess");
        }

        if (!args.Contains("--artifacts"))
        {
            effective.AddRange(["--artifacts", Path.Combine(Path.GetTempPath(), "cairn-benchmarks")]);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. effective]).ToList();
        var failed = summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
