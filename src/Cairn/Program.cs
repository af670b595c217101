using Cairn.Configuration;
using Cairn.Server;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cairn;

/// <summary>The cairn executable: read the configuration as etcd does, then run one member until SIGTERM/SIGINT.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var result = ConfigLoader.Load(args, ConfigLoader.ProcessEnvironment());
        foreach (var warning in result.Warnings)
        {
            await Console.Error.WriteLineAsync($"cairn: warning: {warning}").ConfigureAwait(false);
        }
        switch (result.Action)
        {
            case ConfigAction.PrintHelp:
            case ConfigAction.PrintVersion:
                await Console.Out.WriteLineAsync(result.Text).ConfigureAwait(false);
                return 0;
            case ConfigAction.Fail:
                await Console.Error.WriteLineAsync($"cairn: {result.Text}").ConfigureAwait(false);
                return result.ExitCode;
        }

        var config = result.Config!;
        var level = LogLevelOf(config.LogLevel);
        void ConfigureLogging(ILoggingBuilder logging) => logging
            .SetMinimumLevel(level)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        foreach (var notice in result.Notices)
        {
            await Console.Error.WriteLineAsync($"cairn: {notice}").ConfigureAwait(false);
        }
        try
        {
            return await CairnHost.RunAsync(config, ConfigureLogging, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"cairn: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>etcd's --log-level values (debug, info, warn, error, panic, fatal).</summary>
    private static LogLevel LogLevelOf(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "panic" or "fatal" => LogLevel.Critical,
        _ => LogLevel.Information,
    };
}
