using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;

namespace Cairn.Ctl.Client;

/// <summary>
/// One gRPC channel over every --endpoints entry (pick-first: the first member that answers serves every call, like
/// clientv3's pinned endpoint), with TLS from --cacert/--cert/--key, keepalive pings, and the auth token from
/// --user/--password attached to every call. Calls wait for a ready connection up to their deadline, so an unreachable
/// cluster fails with "context deadline exceeded" after --command-timeout, as etcdctl does.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private string? _token;

    private EtcdConnection(ClientSettings settings, GrpcChannel channel)
    {
        Settings = settings;
        _channel = channel;
        KV = new KV.KVClient(channel);
        Watch = new Watch.WatchClient(channel);
        Lease = new Lease.LeaseClient(channel);
        Cluster = new Cluster.ClusterClient(channel);
        Maintenance = new Maintenance.MaintenanceClient(channel);
        Auth = new Auth.AuthClient(channel);
    }

    public ClientSettings Settings { get; }

    public KV.KVClient KV { get; }

    public Watch.WatchClient Watch { get; }

    public Lease.LeaseClient Lease { get; }

    public Cluster.ClusterClient Cluster { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Auth.AuthClient Auth { get; }

    /// <summary>Builds the channel and, with --user, authenticates (within --dial-timeout, as clientv3.New does).</summary>
    public static async Task<EtcdConnection> ConnectAsync(ClientSettings settings, CancellationToken cancellationToken)
    {
        var addresses = settings.Endpoints.Select(EndpointAddress.Parse).ToList();
        if (addresses.Count == 0)
        {
            throw CtlException.Error("no endpoints available");
        }

        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = settings.DialTimeout,
            KeepAlivePingDelay = settings.KeepAliveTime,
            KeepAlivePingTimeout = settings.KeepAliveTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        var tls = settings.UseTls;
        if (tls)
        {
            handler.SslOptions = TlsSettings.ClientOptions(settings);
        }

        var resolver = new StaticResolverFactory(_ => addresses.Select(a => new BalancerAddress(a.Host, a.Port)));
        var channel = GrpcChannel.ForAddress("static:///etcd", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceProvider = new SingleServiceProvider(resolver),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new PickFirstConfig() } },
            MaxReceiveMessageSize = int.MaxValue,
            MaxSendMessageSize = int.MaxValue,
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
        });
        var connection = new EtcdConnection(settings, channel);
        if (settings.UserName is { } user)
        {
            try
            {
                var response = await connection.Auth.AuthenticateAsync(
                    new AuthenticateRequest { Name = user, Password = settings.Password },
                    connection.Options(settings.DialTimeout, cancellationToken)).ConfigureAwait(false);
                connection._token = response.Token;
            }
            catch (RpcException e) when (e.Status.Detail == "etcdserver: authentication is not enabled")
            {
                // clientv3 carries on without a token when the cluster has auth off.
            }
            catch (RpcException e)
            {
                connection.Dispose();
                throw RpcErrors.ToCtl(e, ExitCode.BadConnection);
            }
        }

        return connection;
    }

    /// <summary>Options for a unary call bounded by --command-timeout (or <paramref name="timeout"/>).</summary>
    public CallOptions Call(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Options(timeout ?? Settings.CommandTimeout, cancellationToken);

    /// <summary>Options for a long-lived stream (watch, keep-alive, snapshot): no deadline.</summary>
    public CallOptions Stream(CancellationToken cancellationToken) =>
        new CallOptions(Headers(), cancellationToken: cancellationToken).WithWaitForReady();

    /// <summary>Runs one unary call; a failure becomes etcdctl's error (exit 1 unless <paramref name="exitCode"/>).</summary>
    public async Task<T> UnaryAsync<T>(
        Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken, int exitCode = ExitCode.Error, TimeSpan? timeout = null)
    {
        try
        {
            return await call(Call(cancellationToken, timeout)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw RpcErrors.ToCtl(e, exitCode);
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <remarks><see cref="Timeout.InfiniteTimeSpan"/> means no deadline (clientv3 calls made with a background context).</remarks>
    private CallOptions Options(TimeSpan timeout, CancellationToken cancellationToken) =>
        new CallOptions(Headers(), timeout == Timeout.InfiniteTimeSpan ? null : DateTime.UtcNow + timeout, cancellationToken).WithWaitForReady();

    private Metadata? Headers() => _token is null ? null : new Metadata { { "token", _token } };

    private sealed class SingleServiceProvider(ResolverFactory resolver) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(ResolverFactory) ? resolver
            : serviceType == typeof(IEnumerable<ResolverFactory>) ? new[] { resolver }
            : null;
    }
}
