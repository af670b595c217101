namespace Cairn.Testing;

/// <summary>
/// Runs the real etcdctl (ETCDCTL_API=3; <c>ETCDCTL_BIN</c> or <c>etcdctl</c> on PATH) against fixed endpoints, with a
/// timeout, capturing stdout, stderr and the exit code.
/// </summary>
public sealed class Etcdctl(string endpoints)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public string Endpoints { get; } = endpoints;

    /// <summary>etcdctl --endpoints E --command-timeout=10s ARGS...</summary>
    public Task<CommandResult> RunAsync(params string[] arguments) => RunAsync(arguments, stdin: null);

    public Task<CommandResult> RunAsync(
        IEnumerable<string> arguments, string? stdin, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var binary = Environment.GetEnvironmentVariable("ETCDCTL_BIN") is { Length: > 0 } bin ? bin : ServerBinary.FindOnPath("etcdctl");
        var environment = new Dictionary<string, string?>
        {
            ["ETCDCTL_API"] = "3",
            ["ETCDCTL_ENDPOINTS"] = null, // the explicit --endpoints is the only target
        };
        return ProcessRunner.RunAsync(
            binary,
            ["--endpoints", Endpoints, "--command-timeout=10s", .. arguments],
            environment,
            stdin,
            timeout ?? DefaultTimeout,
            cancellationToken);
    }

    /// <summary>Runs and throws unless the exit code is 0.</summary>
    public async Task<CommandResult> SucceedAsync(params string[] arguments) =>
        (await RunAsync(arguments).ConfigureAwait(false)).EnsureSuccess();
}
