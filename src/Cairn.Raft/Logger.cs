namespace Cairn.Raft;

/// <summary>The sink for the core's diagnostics. The core never writes anywhere itself; the host adapts this
/// to its logging. Implementations must not call back into the node.</summary>
public interface IRaftLogger
{
    /// <summary>Whether <see cref="Debug"/> lines are wanted; the core skips building them otherwise (some are on
    /// per-message paths).</summary>
    bool IsDebugEnabled { get; }

    void Debug(string message);

    void Info(string message);

    void Warning(string message);

    void Error(string message);
}

/// <summary>Discards everything; the default.</summary>
public sealed class NullRaftLogger : IRaftLogger
{
    public static readonly NullRaftLogger Instance = new();

    public bool IsDebugEnabled => false;

    public void Debug(string message)
    {
    }

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Error(string message)
    {
    }
}
