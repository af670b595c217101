using Cairn.Bench.Load;
using Spectre.Console;

namespace Cairn.Bench.Reporting;

/// <summary>A progress bar for people while a run goes on (by requests for --total, by time for --duration).</summary>
internal static class ProgressView
{
    /// <summary>True when a person is watching: stdout is a terminal and JSON was not asked for.</summary>
    public static bool Wanted(bool json) => !json && !Console.IsOutputRedirected;

    public static async Task<T> RunAsync<T>(string label, LoadRunner runner, Func<Task<T>> run)
    {
        T result = default!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: 1000);
                var running = run();
                while (!running.IsCompleted)
                {
                    task.Value = runner.Progress * 1000;
                    await Task.WhenAny(running, Task.Delay(200)).ConfigureAwait(false);
                }

                task.Value = 1000;
                result = await running.ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }
}
