namespace Cairn.Ctl.Cli;

/// <summary>etcdctl's exit codes (ctlv3/command/error.go), which scripts test for.</summary>
internal static class ExitCode
{
    public const int Success = 0;
    public const int Error = 1;
    public const int BadConnection = 2;

    /// <summary>Malformed txn or watch input.</summary>
    public const int InvalidInput = 3;

    /// <summary>A valid flag with an unsupported value, e.g. an output format a command cannot print.</summary>
    public const int BadFeature = 4;
    public const int Interrupted = 5;
    public const int IO = 6;
    public const int BadArgs = 128;
}
