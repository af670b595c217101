using System.Collections.Concurrent;

using Cairn.Api.Errors;
using Google.Protobuf;

namespace Cairn.Server.Raft;

/// <summary>
/// Proposers wait here, keyed by request ID, for the apply loop to apply their entry (etcd's pkg/wait). Entries
/// proposed elsewhere (by another member) find no waiter and are simply applied.
/// </summary>
internal sealed class WaitRegistry
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ApplyResult>> waiters = new();

    public Task<ApplyResult> Register(ulong id)
    {
        var tcs = new TaskCompletionSource<ApplyResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!waiters.TryAdd(id, tcs))
        {
            throw new InvalidOperationException($"duplicate request id {id:x}");
        }
        return tcs.Task;
    }

    public void Trigger(ulong id, ApplyResult result)
    {
        if (waiters.TryRemove(id, out var tcs))
        {
            tcs.TrySetResult(result);
        }
    }

    public void Cancel(ulong id)
    {
        if (waiters.TryRemove(id, out var tcs))
        {
            tcs.TrySetCanceled();
        }
    }

    /// <summary>Fails every waiter, e.g. with "server stopped" on shutdown.</summary>
    public void FailAll(Exception error)
    {
        foreach (var id in waiters.Keys)
        {
            if (waiters.TryRemove(id, out var tcs))
            {
                tcs.TrySetException(error);
            }
        }
    }
}

/// <summary>What applying one entry produced: a response message, or an expected failure, plus work that
/// completes later (a physical compaction).</summary>
internal sealed record ApplyResult(IMessage? Response, EtcdException? Error, Task? Physical = null);
