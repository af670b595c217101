using System.Diagnostics;

namespace Cairn.Bench.Load;

/// <summary>
/// --rate: request <c>n</c> (counted across all clients) may start no earlier than <c>start + n / rate</c>. A client that
/// is behind schedule sends at once, so the rate is a ceiling, as etcd's limiter makes it.
/// </summary>
internal sealed class Pacer(double rate, long startTimestamp)
{
    public ValueTask WaitTurnAsync(long sequence, CancellationToken cancellationToken)
    {
        if (rate <= 0)
        {
            return ValueTask.CompletedTask;
        }

        var due = startTimestamp + (long)(sequence / rate * Stopwatch.Frequency);
        var wait = due - Stopwatch.GetTimestamp();
        return wait <= 0
            ? ValueTask.CompletedTask
            : new ValueTask(Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken));
    }
}
