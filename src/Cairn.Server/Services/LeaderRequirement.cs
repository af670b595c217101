using Cairn.Api.Errors;
using Grpc.Core;

namespace Cairn.Server.Services;

/// <summary>
/// etcd's "hasleader" metadata (clientv3.WithRequireLeader) on a stream: without a known leader the stream is
/// refused with "etcdserver: no leader"; once open, leadership is checked every election timeout (etcd's
/// monitorLeader) and <see cref="Lost"/> fires when the member no longer knows a leader, so the stream ends with
/// that error. Streams without the metadata are never ended this way.
/// </summary>
internal sealed class LeaderRequirement : IDisposable
{
    private readonly CancellationTokenSource lost = new();
    private readonly ITimer? timer;

    private LeaderRequirement(EtcdServer server, bool required)
    {
        if (!required)
        {
            return;
        }
        if (!server.HasLeader)
        {
            throw EtcdErrors.NoLeader.ToException();
        }
        var period = TimeSpan.FromMilliseconds(Math.Max(1, server.Config.ElectionTimeoutMs));
        timer = server.Watches.Time.CreateTimer(_ =>
        {
            if (!server.HasLeader)
            {
                lost.Cancel();
            }
        }, null, period, period);
    }

    public CancellationToken Lost => lost.Token;

    public bool IsLost => lost.IsCancellationRequested;

    public static LeaderRequirement Start(EtcdServer server, ServerCallContext context) =>
        new(server, context.RequestHeaders.GetValue("hasleader") == "true");

    public void Dispose()
    {
        timer?.Dispose();
        lost.Dispose();
    }
}
