using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>
/// Two fresh real etcd 3.4.23 members with the same history: the real etcdctl drives one, cairnctl the other, with the
/// same commands. Outputs are compared after each side's own identities (endpoint, member and cluster IDs in decimal
/// and hex, lease IDs registered by the test) are replaced by placeholders.
/// </summary>
internal sealed partial class EtcdPair : IAsyncDisposable
{
    private readonly List<(string Real, string Placeholder)> _realNames = [];
    private readonly List<(string Ours, string Placeholder)> _ourNames = [];

    private EtcdPair(EtcdOracle real, EtcdOracle ours)
    {
        Real = real;
        Ours = ours;
        Etcdctl = real.Etcdctl();
        Cairnctl = new Cairnctl(ours.Endpoint);
    }

    public EtcdOracle Real { get; }

    public EtcdOracle Ours { get; }

    public Etcdctl Etcdctl { get; }

    public Cairnctl Cairnctl { get; }

    public static async Task<EtcdPair> StartAsync(ClusterOptions? options = null)
    {
        var real = await EtcdOracle.StartAsync(options);
        try
        {
            var pair = new EtcdPair(real, await EtcdOracle.StartAsync(options));
            await pair.LearnIdentitiesAsync();
            return pair;
        }
        catch
        {
            await real.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers a pair of values (e.g. lease IDs) that stand for the same thing on each side.</summary>
    public void Alias(string real, string ours, string placeholder)
    {
        _realNames.Add((real, placeholder));
        _ourNames.Add((ours, placeholder));
    }

    /// <summary>Runs the command on both sides and returns (real etcdctl, cairnctl), normalized.</summary>
    public async Task<(Transcript Real, Transcript Ours)> RunBothAsync(string[] args, string? stdin = null)
    {
        var real = await Etcdctl.RunAsync(args, stdin);
        var ours = await Cairnctl.RunAsync(args, stdin);
        return (Normalize(real, _realNames), Normalize(ours, _ourNames));
    }

    /// <summary>Runs on both sides and asserts identical stdout, stderr (etcdctl's JSON log lines aside) and exit code.</summary>
    public async Task<Transcript> AssertSameAsync(params string[] args) => await AssertSameWithInputAsync(null, args);

    public async Task<Transcript> AssertSameWithInputAsync(string? stdin, params string[] args)
    {
        var (real, ours) = await RunBothAsync(args, stdin);
        Assert.Equal(real, ours);
        return ours;
    }

    /// <summary>Replaces the real side's identities with placeholders.</summary>
    public string NormalizeReal(string text) => Normalize(new Cairn.Testing.CommandResult("", 0, text, ""), _realNames).Stdout;

    /// <summary>Replaces cairnctl's side's identities with placeholders.</summary>
    public string NormalizeOurs(string text) => Normalize(new Cairn.Testing.CommandResult("", 0, text, ""), _ourNames).Stdout;

    private static Transcript Normalize(CommandResult result, List<(string Value, string Placeholder)> names)
    {
        string Apply(string text)
        {
            foreach (var (value, placeholder) in names.OrderByDescending(n => n.Value.Length))
            {
                text = text.Replace(value, placeholder, StringComparison.Ordinal);
            }

            // Two servers with the same history still differ in database size (bbolt commits on a timer).
            return DbSize().Replace(text, "<db-size>");
        }

        var stderr = string.Join('\n', result.Stderr.Split('\n').Where(l => !l.StartsWith("{\"level\":", StringComparison.Ordinal)));
        return new Transcript(Apply(result.Stdout), Apply(stderr), result.ExitCode);
    }

    private async Task LearnIdentitiesAsync()
    {
        var real = await MemberAsync(Etcdctl.SucceedAsync("member", "list", "-w", "json"));
        var ours = await MemberAsync(Cairnctl.SucceedAsync("member", "list", "-w", "json"));
        void Both(string r, string o, string placeholder)
        {
            _realNames.Add((r, placeholder));
            _ourNames.Add((o, placeholder));
        }

        Both(real.Member.ToString(System.Globalization.CultureInfo.InvariantCulture), ours.Member.ToString(System.Globalization.CultureInfo.InvariantCulture), "<member-id>");
        Both(real.Member.ToString("x", System.Globalization.CultureInfo.InvariantCulture), ours.Member.ToString("x", System.Globalization.CultureInfo.InvariantCulture), "<member-hex>");
        Both(real.Cluster.ToString(System.Globalization.CultureInfo.InvariantCulture), ours.Cluster.ToString(System.Globalization.CultureInfo.InvariantCulture), "<cluster-id>");
        Both(real.Cluster.ToString("x", System.Globalization.CultureInfo.InvariantCulture), ours.Cluster.ToString("x", System.Globalization.CultureInfo.InvariantCulture), "<cluster-hex>");
        Both(Real.Member.PeerUrl.GetLeftPart(UriPartial.Authority), Ours.Member.PeerUrl.GetLeftPart(UriPartial.Authority), "<peer-url>");
        Both(Real.Endpoint, Ours.Endpoint, "<client-url>");
        Both(Real.Endpoint.Replace("http://", "", StringComparison.Ordinal), Ours.Endpoint.Replace("http://", "", StringComparison.Ordinal), "<client-host>");
        Both(Real.Member.Name + ".data", Ours.Member.Name + ".data", "<data>");
    }

    private static async Task<(ulong Member, ulong Cluster)> MemberAsync(Task<CommandResult> run)
    {
        using var json = JsonDocument.Parse((await run).Stdout);
        var header = json.RootElement.GetProperty("header");
        return (header.GetProperty("member_id").GetUInt64(), header.GetProperty("cluster_id").GetUInt64());
    }

    /// <summary>Durations such as "took = 1.2ms" vary run to run.</summary>
    public static string WithoutDurations(string text) => Duration().Replace(text, "<duration>");

    [GeneratedRegex(@"\b\d+(\.\d+)? (B|kB|MB|GB)\b|(?<=""dbSize(InUse)?"":)\d+|(?<=""DBSize(InUse)?"" : )\d+")]
    private static partial Regex DbSize();

    [GeneratedRegex(@"\d+(\.\d+)?(ns|µs|ms|s)\b")]
    private static partial Regex Duration();

    public async ValueTask DisposeAsync()
    {
        await Real.DisposeAsync();
        await Ours.DisposeAsync();
    }
}

/// <summary>What one command printed, after normalization.</summary>
internal sealed record Transcript(string Stdout, string Stderr, int ExitCode);
