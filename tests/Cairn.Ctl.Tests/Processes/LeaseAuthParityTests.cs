using System.Text.RegularExpressions;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>lease, user, role and auth commands against the real etcdctl.</summary>
[Collection("Processes")]
public sealed partial class LeaseAuthParityTests
{
    [Fact(Timeout = Hang.Default)]
    public async Task Lease_EveryCommand_MatchesEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        var realGrant = await pair.Etcdctl.SucceedAsync("lease", "grant", "300");
        var ourGrant = await pair.Cairnctl.SucceedAsync("lease", "grant", "300");
        var realId = LeaseId().Match(realGrant.Stdout).Groups[1].Value;
        var ourId = LeaseId().Match(ourGrant.Stdout).Groups[1].Value;
        Assert.Equal(realGrant.Stdout.Replace(realId, "<lease>", StringComparison.Ordinal), ourGrant.Stdout.Replace(ourId, "<lease>", StringComparison.Ordinal));
        pair.Alias(realId, ourId, "<lease>");
        pair.Alias(Convert.ToInt64(realId, 16).ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(ourId, 16).ToString(System.Globalization.CultureInfo.InvariantCulture), "<lease-dec>");

        var (putReal, putOurs) = await RunWithLeaseAsync(pair, realId, ourId, ["put", "lk", "v", "--lease=<id>"]);
        Assert.Equal(putReal, putOurs);
        string[][] commands =
        [
            ["lease", "list"], ["lease", "list", "-w", "json"], ["lease", "list", "-w", "fields"],
            ["lease", "grant"], ["lease", "grant", "x"], ["lease", "revoke"], ["lease", "revoke", "zz"], ["lease", "revoke", "1234"],
            ["lease", "timetolive", "1234"], ["lease", "timetolive", "1234", "-w", "json"], ["lease", "timetolive"], ["lease", "keep-alive"],
            ["lease", "grant", "10", "-w", "table"],
        ];
        foreach (var command in commands)
        {
            await pair.AssertSameAsync(command);
        }

        foreach (var format in new[] { "simple", "json", "fields" })
        {
            var (real, ours) = await RunWithLeaseAsync(pair, realId, ourId, ["lease", "timetolive", "<id>", "--keys", "-w", format]);
            Assert.Equal(Remaining().Replace(real.Stdout, "<ttl>"), Remaining().Replace(ours.Stdout, "<ttl>"));
            (real, ours) = await RunWithLeaseAsync(pair, realId, ourId, ["lease", "keep-alive", "--once", "<id>", "-w", format]);
            Assert.Equal(real, ours);
        }

        var (revokedReal, revokedOurs) = await RunWithLeaseAsync(pair, realId, ourId, ["lease", "revoke", "<id>", "-w", "json"]);
        Assert.Equal(revokedReal, revokedOurs);
        foreach (var command in new[] { new[] { "lease", "revoke", "<id>" }, ["lease", "timetolive", "<id>"], ["lease", "keep-alive", "--once", "<id>"], ["get", "lk"] })
        {
            var (real, ours) = await RunWithLeaseAsync(pair, realId, ourId, command);
            Assert.Equal(real, ours);
        }
    }

    [Fact(Timeout = Hang.Default)]
    public async Task UserRoleAuth_MatchEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        string[][] commands =
        [
            ["role", "add", "r1"], ["role", "add", "r1"], ["role", "add", "r2", "-w", "json"],
            ["role", "grant-permission", "r1", "read", "/a"], ["role", "grant-permission", "r1", "readwrite", "/p", "--prefix"],
            ["role", "grant-permission", "r1", "write", "/f", "--from-key"], ["role", "grant-permission", "r1", "read", "/x", "/y", "-w", "json"],
            ["role", "grant-permission", "r1", "bogus", "/x"], ["role", "grant-permission", "r1", "read", "/x", "/y", "--prefix"], ["role", "grant-permission", "r1"],
            ["role", "get", "r1"], ["role", "get", "r1", "-w", "json"], ["role", "get", "r1", "-w", "fields"], ["role", "get", "nope"],
            ["role", "list"], ["role", "list", "-w", "json"], ["role", "list", "-w", "fields"],
            ["role", "revoke-permission", "r1", "/a"], ["role", "revoke-permission", "r1", "/x", "/y"], ["role", "revoke-permission", "r1", "/f", "--from-key"],
            ["role", "revoke-permission", "r1", "/zzz"],
            ["user", "add", "u1:pw"], ["user", "add", "u2", "--new-user-password=pw", "-w", "json"], ["user", "add", "u4", "--no-password"],
            ["user", "add", ":pw"], ["user", "add", "u1:pw"],
            ["user", "grant-role", "u1", "r1"], ["user", "grant-role", "u1", "nope"], ["user", "get", "u1"], ["user", "get", "u1", "-w", "json"],
            ["user", "get", "u1", "--detail"], ["user", "get", "u1", "-w", "fields"], ["user", "list"], ["user", "list", "-w", "json"],
            ["user", "revoke-role", "u1", "r1"], ["user", "delete", "u2"], ["user", "delete", "u2"], ["role", "delete", "r2"],
            ["auth", "enable"], ["user", "add", "root:rootpw"], ["auth", "enable"], ["get", "k"], ["--user", "root:rootpw", "get", "k"],
            ["--user", "root:wrong", "get", "k"], ["--user", "root", "--password", "rootpw", "role", "list"],
            ["--user", "root:rootpw", "auth", "disable"], ["auth", "disable"],
        ];
        foreach (var command in commands)
        {
            await pair.AssertSameAsync(command);
        }

        await pair.AssertSameWithInputAsync("secret\n", "user", "add", "u3", "--interactive=false");
        await pair.AssertSameWithInputAsync("newpw\n", "user", "passwd", "u3", "--interactive=false");
        await pair.AssertSameAsync("--user", "u3:newpw", "user", "get", "u3");
    }

    private static async Task<(Transcript, Transcript)> RunWithLeaseAsync(EtcdPair pair, string realId, string ourId, string[] template)
    {
        var real = await pair.Etcdctl.RunAsync([.. template.Select(a => a.Replace("<id>", realId, StringComparison.Ordinal))], stdin: null);
        var ours = await pair.Cairnctl.RunAsync([.. template.Select(a => a.Replace("<id>", ourId, StringComparison.Ordinal))], stdin: null);
        string Clean(string s, string id) => s.Replace(id, "<lease>", StringComparison.Ordinal)
            .Replace(Convert.ToInt64(id, 16).ToString(System.Globalization.CultureInfo.InvariantCulture), "<lease-dec>", StringComparison.Ordinal);
        var cleanReal = string.Join('\n', real.Stderr.Split('\n').Where(l => !l.StartsWith("{\"level\":", StringComparison.Ordinal)));
        return (new Transcript(pair.NormalizeReal(Clean(real.Stdout, realId)), pair.NormalizeReal(Clean(cleanReal, realId)), real.ExitCode),
            new Transcript(pair.NormalizeOurs(Clean(ours.Stdout, ourId)), pair.NormalizeOurs(Clean(ours.Stderr, ourId)), ours.ExitCode));
    }

    [GeneratedRegex("lease ([0-9a-f]{16}) granted")]
    private static partial Regex LeaseId();

    [GeneratedRegex(@"remaining\(\d+s\)|""ttl"":\d+|""TTL"" : \d+")]
    private static partial Regex Remaining();
}
