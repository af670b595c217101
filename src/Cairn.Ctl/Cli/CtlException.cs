namespace Cairn.Ctl.Cli;

/// <summary>
/// An expected failure of a command: the top level prints <c>Error: {Message}</c> to stderr, as etcdctl's
/// ExitWithError does, and exits with <see cref="ExitCode"/>. Anything else that escapes a command is a bug.
/// </summary>
internal sealed class CtlException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>When false, the message is already printed (etcdctl exits silently after per-endpoint errors).</summary>
    public bool PrintMessage { get; init; } = true;

    public static CtlException BadArgs(string message) => new(Cli.ExitCode.BadArgs, message);

    public static CtlException Error(string message) => new(Cli.ExitCode.Error, message);
}
