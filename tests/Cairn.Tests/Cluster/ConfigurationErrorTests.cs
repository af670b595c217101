using Cairn.Testing;
using Xunit.Abstractions;

namespace Cairn.Tests.Cluster;

/// <summary>
/// Bootstrap mistakes are refused with etcd's words: the same flags are given to real etcd and to the server under
/// test, and the server's stderr must carry etcd's message (etcd prints it as "C | etcdmain: MESSAGE") and its exit code
/// must be non-zero.
/// </summary>
[Collection("Processes")]
public sealed class ConfigurationErrorTests(ITestOutputHelper output)
{
    public static TheoryData<string> Mistakes => ["name-missing", "duplicate-url", "advertise-mismatch"];

    [Theory(Timeout = ClusterTimeouts.Scenario)]
    [MemberData(nameof(Mistakes))]
    public async Task BootstrapMistake_ExitsNonZeroWithEtcdsMessage(string mistake)
    {
        var figures = new Figures(output, $"configuration error {mistake}");
        var client = $"http://127.0.0.1:{FreePort.Next()}";
        var peer0 = $"http://127.0.0.1:{FreePort.Next()}";
        var peer1 = $"http://127.0.0.1:{FreePort.Next()}";
        string[] flags = mistake switch
        {
            // --name is not one of the names in --initial-cluster.
            "name-missing" => ["--name", "m9", "--initial-advertise-peer-urls", peer0, "--initial-cluster", $"m0={peer0},m1={peer1}"],

            // Two members share one peer URL.
            "duplicate-url" => ["--name", "m0", "--initial-advertise-peer-urls", peer0, "--initial-cluster", $"m0={peer0},m1={peer0}"],

            // This member advertises a peer URL other than the one --initial-cluster gives it.
            "advertise-mismatch" => ["--name", "m0", "--initial-advertise-peer-urls", peer1, "--initial-cluster", $"m0={peer0},m1={peer1}"],
            _ => throw new ArgumentOutOfRangeException(nameof(mistake), mistake, null),
        };
        var work = Directory.CreateTempSubdirectory("cairn-config-error-");
        try
        {
            string[] common = ["--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer0, "--initial-cluster-state", "new", "--initial-cluster-token", "checks"];
            var etcd = await RunAsync(ServerBinary.Etcd, [.. flags, .. common, "--data-dir", Path.Combine(work.FullName, "etcd.data")]);
            var line = etcd.Stderr.Split('\n').LastOrDefault(l => l.Contains(" C | etcdmain: ", StringComparison.Ordinal));
            Assert.True(line is not null && etcd.ExitCode != 0, $"etcd did not refuse the flags as expected: {etcd}");
            var message = line[(line.IndexOf(" C | etcdmain: ", StringComparison.Ordinal) + " C | etcdmain: ".Length)..].Trim();

            var subject = await RunAsync(ServerBinary.Cairn, [.. flags, .. common, "--data-dir", Path.Combine(work.FullName, "subject.data")]);
            figures.Report($"etcd: \"{message}\" (exit {etcd.ExitCode}); {ServerBinary.Cairn}: exit {subject.ExitCode}");
            Assert.NotEqual(0, subject.ExitCode);
            Assert.True(subject.Stderr.Contains(message, StringComparison.Ordinal), $"the server's stderr lacks etcd's message \"{message}\":{Environment.NewLine}{subject.Stderr}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Runs a server that must refuse to start; a server still running after 20 s fails the test.</summary>
    private static async Task<CommandResult> RunAsync(ServerBinary binary, string[] arguments)
    {
        // etcd 3.4 refuses a flag that an ETCD_* variable shadows: the flags alone configure both servers.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        try
        {
            return await ProcessRunner.RunAsync(binary.FileName, [.. binary.LeadingArguments, .. arguments], environment, timeout: TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException e)
        {
            throw new Xunit.Sdk.XunitException($"{binary} started with a bootstrap mistake instead of refusing it: {e.Message}");
        }
    }
}
