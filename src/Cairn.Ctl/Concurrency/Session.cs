using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Grpc.Core;

namespace Cairn.Ctl.Concurrency;

/// <summary>
/// clientv3/concurrency's Session: a lease granted with a TTL and kept alive in the background (every TTL/3) until
/// disposed. <see cref="Done"/> completes when the lease can no longer be kept alive (expired, revoked, lost stream).
/// </summary>
internal sealed class Session : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _keepAlive;

    private Session(EtcdConnection connection, long lease, long ttl)
    {
        Connection = connection;
        Lease = lease;
        _keepAlive = KeepAliveAsync(ttl);
    }

    public EtcdConnection Connection { get; }

    public long Lease { get; }

    /// <summary>Completes when the session's lease is gone.</summary>
    public Task Done => _done.Task;

    public static async Task<Session> CreateAsync(EtcdConnection connection, long ttl, CancellationToken ct)
    {
        var grant = await connection.UnaryAsync(o => connection.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, o), ct).ConfigureAwait(false);
        return new Session(connection, grant.ID, ttl);
    }

    private async Task KeepAliveAsync(long ttl)
    {
        try
        {
            using var call = Connection.Lease.LeaseKeepAlive(Connection.Stream(_stop.Token));
            while (!_stop.IsCancellationRequested)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Lease }, _stop.Token).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false) || call.ResponseStream.Current.TTL <= 0)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.5, ttl / 3.0)), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (RpcException)
        {
            // The lease can no longer be renewed: the session is over.
        }

        _done.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _keepAlive.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>"prefix/" + the lease in lowercase hex: the key a session owns under an election or lock name.</summary>
    public string KeyUnder(string prefix) => prefix + GoText.Hex((ulong)Lease);
}
