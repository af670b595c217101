using System.Net;
using Cairn.Server.Configuration;
using Cairn.Server.Peer;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// Runs one member: recovers it from its data dir, then serves clients (gRPC over h2c or TLS, and HTTP/1.1) on
/// every --listen-client-urls address and the peer protocol on every --listen-peer-urls address, until stopped
/// (SIGTERM/SIGINT, or the token passed to RunAsync), removed from the cluster, or failed.
/// </summary>
public static partial class CairnHost
{
    /// <summary>gRPC may carry a little more than --max-request-bytes, as etcd allows, so that the size error
    /// comes from the member with etcd's message rather than from the transport.</summary>
    private const int GrpcOverheadBytes = 512 * 1024;

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(ServerConfig config, Action<ILoggingBuilder> configureLogging, CancellationToken ct)
    {
        // The content root defaults to the working directory, which ASP.NET Core watches recursively for appsettings
        // changes; under systemd that is the data dir, so every WAL append would wake the watcher. Cairn reads no
        // appsettings, so the root is the (static) install folder.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Kestrel warns that cleartext HTTP/2 needs ALPN; H2cPrefaceDetector serves it without.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        using var loggers = LoggerFactory.Create(configureLogging);
        var logger = loggers.CreateLogger("cairn");
        using var clientTls = TlsSetup.ForClients(config, logger);
        using var peerTls = TlsSetup.ForPeers(config, logger);
        var peerPorts = config.ListenPeerUrls.Select(u => u.Port).ToHashSet();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AllowAlternateSchemes = true;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            foreach (var url in config.ListenClientUrls)
            {
                Listen(kestrel, url, "--listen-client-urls", clientTls);
            }
            foreach (var url in config.ListenPeerUrls)
            {
                Listen(kestrel, url, "--listen-peer-urls", peerTls);
            }
        });

        var server = await EtcdServer.StartAsync(config, peerTls, loggers, TimeProvider.System, ct).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            builder.Services.AddSingleton(server);
            builder.Services.AddSingleton<IPeerHandler>(server.Raft);
            builder.Services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = config.MaxRequestBytes + GrpcOverheadBytes;
                o.MaxSendMessageSize = null;
                o.Interceptors.Add<ErrorInterceptor>();
            }).AddServiceOptions<RaftPeerService>(o => o.MaxReceiveMessageSize = null);

            await using var app = builder.Build();
            // Peer ports serve only the peer protocol; client ports never serve it.
            // Clients wait until this member has published itself (etcd serves clients after ReadyNotify).
            app.Use((http, next) =>
            {
                var isPeerPath = http.Request.Path.StartsWithSegments("/cairnpeerpb.RaftPeer");
                if (isPeerPath != peerPorts.Contains(http.Connection.LocalPort))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                // Once ready (the common case) the request passes straight on, without an async frame of its own.
                return isPeerPath || server.Ready.IsCompleted ? next(http) : WhenReadyAsync(server, http, next);
            });
            app.MapGrpcService<KvService>();
            app.MapGrpcService<MaintenanceService>();
            app.MapGrpcService<ClusterService>();
            app.MapGrpcService<WatchService>();
            app.MapGrpcService<LeaseService>();
            app.MapGrpcService<RaftPeerService>();
            app.MapEtcdHttp(server);

            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                throw new StartupException($"{e.Message} Another process (perhaps another etcd or cairn) listens there; stop it or choose another port.");
            }
            LogServing(logger, config.Name, Membership.MemberIds.ToHex(server.MemberId),
                string.Join(",", config.ListenClientUrls.Select(u => u.OriginalString)),
                string.Join(",", config.ListenPeerUrls.Select(u => u.OriginalString)));

            // The caller's token stops the member as a signal does (an in-process host gets no signal).
            using var stopOnCancel = ct.Register(app.Lifetime.StopApplication);
            _ = NotifyReadyAsync(server, app.Lifetime.ApplicationStopping);
            var signalled = Task.Delay(Timeout.Infinite, app.Lifetime.ApplicationStopping);
            var finished = await Task.WhenAny(signalled, server.Raft.Completion, server.Stopped).ConfigureAwait(false);
            if (finished == signalled)
            {
                // As etcd does on a graceful stop: a leader hands over first, so the cluster barely notices.
                await server.TransferLeadershipOnStopAsync().ConfigureAwait(false);
            }
            // Long-lived streams (peers, watches, keep-alives) never finish by themselves: give them a moment, then
            // Kestrel aborts them.
            using var shutdown = new CancellationTokenSource(ShutdownGrace);
            await app.StopAsync(shutdown.Token).ConfigureAwait(false);
            if (finished == server.Raft.Completion && server.Raft.Completion.IsFaulted)
            {
                LogFailed(logger, server.Raft.Completion.Exception!.GetBaseException());
                return 1;
            }
            return 0;
        }
    }

    private static async Task WhenReadyAsync(EtcdServer server, HttpContext http, RequestDelegate next)
    {
        await server.Ready.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        await next(http).ConfigureAwait(false);
    }

    /// <summary>Tells systemd (Type=notify) the member is ready once it serves clients (it has published itself) and
    /// knows a leader.</summary>
    private static async Task NotifyReadyAsync(EtcdServer server, CancellationToken ct)
    {
        try
        {
            await server.Ready.WaitAsync(ct).ConfigureAwait(false);
            while (server.LeaderId == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(server.Config.HeartbeatIntervalMs), ct).ConfigureAwait(false);
            }
            await SystemdNotifier.NotifyAsync("READY=1", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // Stopping, or no systemd listening: nothing to tell.
        }
    }

    /// <summary>Binds one URL: localhost binds loopback, an IP binds that address; etcd refuses host names.</summary>
    private static void Listen(KestrelServerOptions kestrel, Uri url, string flag, TlsSetup? tls)
    {
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            if (url.Scheme == "https")
            {
                tls!.ConfigureHttps(listen); // ForClients/ForPeers return a setup whenever a URL of the side is https
                return;
            }
            listen.Use(next => context => H2cPrefaceDetector.OnConnectionAsync(context, next));
        };
        if (url.Host == "localhost")
        {
            kestrel.ListenLocalhost(url.Port, configure);
        }
        else if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, url.Port, configure);
        }
        else
        {
            throw new StartupException($"{flag} {url.OriginalString}: expected IP in URL for binding; use an IP address or localhost");
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "member {Name} ({Id}) serving clients on {ClientUrls}, peers on {PeerUrls}")]
    private static partial void LogServing(ILogger logger, string name, string id, string clientUrls, string peerUrls);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "member stopped on an error")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
