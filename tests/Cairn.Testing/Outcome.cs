using Grpc.Core;

namespace Cairn.Testing;

/// <summary>What one server answered: a response or a gRPC status (never both).</summary>
public sealed record Outcome<T>(T? Response, Status? Error) where T : class
{
    /// <summary>The response; throws if the server answered an error.</summary>
    public T Ok => Response ?? throw new DifferenceException($"expected a response, the servers answered {Error!.Value.StatusCode} \"{Error.Value.Detail}\"");

    /// <summary>The error; throws if the server answered a response.</summary>
    public Status Failed => Error ?? throw new DifferenceException($"expected an error, the servers answered {typeof(T).Name}: {Response}");

    public override string ToString() => Error is { } e ? $"error {e.StatusCode} \"{e.Detail}\"" : $"ok {typeof(T).Name}";
}

/// <summary>Awaiting shortcuts: <c>await differ.Range(r).Ok()</c>, <c>await differ.Put(p).Failed()</c>.</summary>
public static class OutcomeTasks
{
    public static async Task<T> Ok<T>(this Task<Outcome<T>> outcome) where T : class => (await outcome.ConfigureAwait(false)).Ok;

    public static async Task<Status> Failed<T>(this Task<Outcome<T>> outcome) where T : class => (await outcome.ConfigureAwait(false)).Failed;
}

/// <summary>The server under test answered differently from the oracle (or not as the test expected).</summary>
public sealed class DifferenceException(string message) : Exception(message);
