using Cairn.Raft;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Raft;

/// <summary>Routes the raft core's diagnostics to the member's log.</summary>
internal sealed partial class RaftLogger(ILogger logger) : IRaftLogger
{
    public bool IsDebugEnabled => logger.IsEnabled(LogLevel.Debug);

    public void Debug(string message) => LogDebug(message);

    public void Info(string message) => LogInfo(message);

    public void Warning(string message) => LogWarning(message);

    public void Error(string message) => LogError(message);

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "{Message}")]
    private partial void LogDebug(string message);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "{Message}")]
    private partial void LogInfo(string message);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "{Message}")]
    private partial void LogWarning(string message);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "{Message}")]
    private partial void LogError(string message);
}
