using Cairn.Server.Configuration;

namespace Cairn.Configuration;

/// <summary>What the cairn executable does after reading its configuration.</summary>
internal enum ConfigAction
{
    /// <summary>Start the member with <see cref="ConfigResult.Config"/>.</summary>
    Run,

    /// <summary>Print <see cref="ConfigResult.Text"/> to stdout and exit 0.</summary>
    PrintHelp,

    /// <summary>Print <see cref="ConfigResult.Text"/> to stdout and exit 0.</summary>
    PrintVersion,

    /// <summary>Print <see cref="ConfigResult.Text"/> to stderr and exit with <see cref="ConfigResult.ExitCode"/>.</summary>
    Fail,
}

/// <summary>
/// The outcome of <see cref="ConfigLoader.Load"/>. Warnings (print them to stderr) and notices (info-level log
/// lines) accompany every outcome, including a failure.
/// </summary>
internal sealed record ConfigResult
{
    public required ConfigAction Action { get; init; }

    /// <summary>The member's configuration when <see cref="Action"/> is Run.</summary>
    public ServerConfig? Config { get; init; }

    /// <summary>
    /// Help or version text for stdout, or the error for stderr, without a trailing newline. An error is printed as
    /// "cairn: {Text}": its first line has no prefix; a further line that is an error of its own (several
    /// unsupported flags) carries "cairn: " itself, and hint lines ("See 'cairn --help'.") carry none.
    /// </summary>
    public string Text { get; init; } = "";

    /// <summary>0, or for a failure 2 (the command line does not parse, as Go's flag package exits) or 1 (any
    /// other configuration error, as etcd exits).</summary>
    public int ExitCode { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Informational lines, e.g. "recognized and used environment variable ETCD_NAME=node1".</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];
}
