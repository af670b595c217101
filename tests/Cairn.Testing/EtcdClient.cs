using Cairn.Api.Etcdserverpb;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Cairn.Testing;

/// <summary>
/// gRPC clients for one endpoint over h2c (plain-text HTTP/2), as clientv3 speaks to a member without TLS. Every unary
/// call that sets no deadline gets <see cref="DefaultDeadline"/>, so a hung server fails a test instead of hanging it.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(15);

    private EtcdClient(GrpcChannel channel, TimeSpan deadline)
    {
        Channel = channel;
        var invoker = channel.Intercept(new DefaultDeadlineInterceptor(deadline));
        KV = new KV.KVClient(invoker);
        Maintenance = new Maintenance.MaintenanceClient(invoker);
        Lease = new Lease.LeaseClient(invoker);
        Watch = new Watch.WatchClient(invoker);
        Cluster = new Cluster.ClusterClient(invoker);
    }

    public GrpcChannel Channel { get; }

    public KV.KVClient KV { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Lease.LeaseClient Lease { get; }

    public Watch.WatchClient Watch { get; }

    public Cluster.ClusterClient Cluster { get; }

    public static EtcdClient Create(Uri address, TimeSpan? deadline = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        return new EtcdClient(channel, deadline ?? DefaultDeadline);
    }

    public void Dispose() => Channel.Dispose();

    private sealed class DefaultDeadlineInterceptor(TimeSpan deadline) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            if (context.Options.Deadline is null)
            {
                context = new ClientInterceptorContext<TRequest, TResponse>(
                    context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline));
            }

            return continuation(request, context);
        }
    }
}
