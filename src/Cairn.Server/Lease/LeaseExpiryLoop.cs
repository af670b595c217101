using Cairn.Api.Errors;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Lease;

/// <summary>
/// Every 500 ms, takes the primary lessor's expired leases (at most half the revoke rate per round) and has the
/// member revoke each through consensus (a LeaseRevoke entry), with at most 16 revokes in flight, as etcd does.
/// Nothing is deleted here: the keys go when the committed revoke is applied, on every member alike.
/// </summary>
internal sealed partial class LeaseExpiryLoop : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private const int MaxPendingRevokes = 16;

    private readonly Lessor lessor;
    private readonly Func<long, CancellationToken, Task> revoke;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim pending = new(MaxPendingRevokes, MaxPendingRevokes);
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <param name="revoke">Proposes LeaseRevoke for one lease and waits until it is applied.</param>
    public LeaseExpiryLoop(Lessor lessor, Func<long, CancellationToken, Task> revoke, TimeProvider time, ILogger logger)
    {
        this.lessor = lessor;
        this.revoke = revoke;
        this.time = time;
        this.logger = logger;
        loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var token = stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                foreach (var id in lessor.FindExpired(Lessor.RevokeRate / 2))
                {
                    await pending.WaitAsync(token).ConfigureAwait(false);
                    _ = RevokeOneAsync(id, token);
                }
                await Task.Delay(Interval, time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RevokeOneAsync(long id, CancellationToken token)
    {
        try
        {
            await revoke(id, token).ConfigureAwait(false);
        }
        catch (EtcdException e) when (e.Error == EtcdErrors.LeaseNotFound)
        {
            // Revoked meanwhile by a client.
        }
        catch (EtcdException e)
        {
            // Queued again by the lessor; the next round retries.
            LogRevokeFailed(id, e.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            pending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        // Wait for the revokes in flight to finish (they fail fast once the member stops).
        for (var i = 0; i < MaxPendingRevokes; i++)
        {
            await pending.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        stop.Dispose();
        pending.Dispose();
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "failed to revoke expired lease {Id:x16}: {Reason}")]
    private partial void LogRevokeFailed(long id, string reason);
}
