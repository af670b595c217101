using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>
/// Runs the built cairnctl (cairnctl.dll beside the test assembly, run with this dotnet host) the way
/// <see cref="Etcdctl"/> runs etcdctl: fixed --endpoints and --command-timeout=10s, ETCDCTL_* cleared.
/// </summary>
internal sealed class Cairnctl(string? endpoints)
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "cairnctl.dll");

    public Task<CommandResult> RunAsync(params string[] arguments) => RunAsync(arguments, stdin: null);

    public Task<CommandResult> RunAsync(IEnumerable<string> arguments, string? stdin, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string?> { ["ETCDCTL_API"] = null, ["ETCDCTL_ENDPOINTS"] = null };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        IEnumerable<string> args = endpoints is null ? arguments : ["--endpoints", endpoints, "--command-timeout=10s", .. arguments];
        return ProcessRunner.RunAsync(DotnetHost(), [Dll, .. args], env, stdin, timeout ?? TimeSpan.FromSeconds(60));
    }

    public async Task<CommandResult> SucceedAsync(params string[] arguments) => (await RunAsync(arguments).ConfigureAwait(false)).EnsureSuccess();

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
