using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests.Hosting;

/// <summary>Collects formatted log lines ("Warning: ...") so a test can assert what a member told its operator.</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IEnumerable<string> At(LogLevel level) => _lines.Where(l => l.StartsWith(level + ": ", StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");

    public override string ToString() => string.Join(Environment.NewLine, _lines);
}
