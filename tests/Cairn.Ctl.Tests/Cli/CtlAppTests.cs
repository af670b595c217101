using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Tests.Cli;

/// <summary>The command line as a whole: global flags, ETCDCTL_* variables, and etcdctl's argument errors and exit codes.</summary>
public sealed class CtlAppTests
{
    private static CtlApp App(TestConsole console, Dictionary<string, string> env) =>
        new(console.Console, n => env.TryGetValue(n, out var v) ? v : null, () => env.Keys);

    [Fact]
    public void GlobalFlags_HaveEtcdctlDefaults()
    {
        var console = new TestConsole();
        var app = App(console, []);
        var parse = app.ParseWithEnvironment(["get", "k"]);
        Assert.Equal(["127.0.0.1:2379"], parse.GetValue(app.Globals.Endpoints)!);
        Assert.Equal(TimeSpan.FromSeconds(2), parse.GetValue(app.Globals.DialTimeout));
        Assert.Equal(TimeSpan.FromSeconds(5), parse.GetValue(app.Globals.CommandTimeout));
        Assert.Equal("simple", parse.GetValue(app.Globals.WriteOut));
        Assert.True(parse.GetValue(app.Globals.InsecureTransport));
    }

    [Fact]
    public void GlobalFlags_MayFollowTheSubcommand()
    {
        var console = new TestConsole();
        var app = App(console, []);
        var parse = app.ParseWithEnvironment(["get", "k", "-w", "json", "--endpoints=a:1,b:2", "--command-timeout", "1m30s", "--hex"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("json", parse.GetValue(app.Globals.WriteOut));
        Assert.Equal(["a:1", "b:2"], parse.GetValue(app.Globals.Endpoints)!);
        Assert.Equal(TimeSpan.FromSeconds(90), parse.GetValue(app.Globals.CommandTimeout));
        Assert.True(parse.GetValue(app.Globals.Hex));
    }

    [Fact]
    public void EnvironmentVariables_FillFlagsThatWereNotGiven()
    {
        var console = new TestConsole();
        var app = App(console, new() { ["ETCDCTL_ENDPOINTS"] = "e:1", ["ETCDCTL_DIAL_TIMEOUT"] = "7s", ["ETCDCTL_WRITE_OUT"] = "fields", ["ETCDCTL_INSECURE_SKIP_TLS_VERIFY"] = "true" });
        var parse = app.ParseWithEnvironment(["get", "k", "-w", "json"]);
        Assert.Equal(["e:1"], parse.GetValue(app.Globals.Endpoints)!);
        Assert.Equal(TimeSpan.FromSeconds(7), parse.GetValue(app.Globals.DialTimeout));
        Assert.True(parse.GetValue(app.Globals.InsecureSkipTlsVerify));
        Assert.Equal("json", parse.GetValue(app.Globals.WriteOut));
        Assert.Contains("ETCDCTL_WRITE_OUT=fields is shadowed by the --write-out flag", console.Stderr);
    }

    [Fact]
    public void UnknownEnvironmentVariable_IsWarnedAbout()
    {
        var console = new TestConsole();
        App(console, new() { ["ETCDCTL_FOO"] = "1", ["ETCDCTL_API"] = "3" }).ParseWithEnvironment(["version"]);
        Assert.Contains("unrecognized environment variable ETCDCTL_FOO=1", console.Stderr);
        Assert.DoesNotContain("ETCDCTL_API", console.Stderr);
    }

    [Theory]
    [InlineData(new[] { "get" }, 128, "Error: get command needs one argument as key and an optional argument as range_end")]
    [InlineData(new[] { "get", "k", "--bogus" }, 1, "Error: unknown flag: --bogus")]
    [InlineData(new[] { "get", "k", "-w", "yaml" }, 4, "Error: unsupported output format")]
    [InlineData(new[] { "compaction" }, 128, "Error: compaction command needs 1 argument")]
    [InlineData(new[] { "lease", "timetolive", "zz" }, 128, "Error: bad lease ID arg (strconv.ParseInt: parsing \"zz\": invalid syntax), expecting ID in Hex")]
    [InlineData(new[] { "member", "add" }, 128, "Error: member name not provided")]
    [InlineData(new[] { "member", "add", "n", "http://x:1" }, 128, "Error: too many arguments, did you mean --peer-urls=http://x:1")]
    [InlineData(new[] { "elect" }, 128, "Error: elect takes one election name argument and an optional proposal argument")]
    [InlineData(new[] { "watch" }, 128, "Error: bad number of arguments")]
    [InlineData(new[] { "snapshot", "status" }, 128, "Error: snapshot status requires exactly one argument")]
    [InlineData(new[] { "get", "k", "--cert", "" }, 128, "Error: empty string is passed to --cert option")]
    [InlineData(new[] { "check", "perf", "--load=huge" }, 4, "Error: unknown load option huge")]
    public async Task BadArguments_FailBeforeConnecting_AsEtcdctlDoes(string[] args, int exitCode, string stderr)
    {
        var console = new TestConsole();
        Assert.Equal(exitCode, await console.RunAsync(args));
        Assert.Equal(stderr, console.Stderr.TrimEnd());
        Assert.Equal("", console.Stdout);
    }

    [Fact]
    public async Task Version_PrintsEtcdctlsLinesFirst()
    {
        var console = new TestConsole();
        Assert.Equal(0, await console.RunAsync(["version"]));
        Assert.StartsWith("etcdctl version: 3.4.23\nAPI version: 3.4\ncairnctl version: ", console.Stdout);
    }

    [Fact]
    public async Task UnreachableEndpoint_FailsAfterTheCommandTimeout()
    {
        var console = new TestConsole();
        var port = Cairn.Testing.FreePort.Next();
        Assert.Equal(1, await console.RunAsync(["--endpoints", $"127.0.0.1:{port}", "--command-timeout=1s", "get", "k"]));
        Assert.Equal("Error: context deadline exceeded", console.Stderr.TrimEnd());
    }
}
