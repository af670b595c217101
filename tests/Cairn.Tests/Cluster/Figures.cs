using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// Measured figures (failover and catch-up times, throughput): written to the test output and to stdout, so they
/// show both in a test report and in a plain console run.
/// </summary>
internal sealed class Figures(ITestOutputHelper output, string test)
{
    public void Report(string line)
    {
        var text = $"[cluster] {test}: {line}";
        output.WriteLine(text);
        Console.WriteLine(text);
    }
}
