using System.Net;
using Cairn.Server.Configuration;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// Runs one member: recovers it from its data dir, then serves gRPC (h2c or TLS) and HTTP/1.1 on every
/// --listen-client-urls address until stopped (SIGTERM/SIGINT) or until the member fails.
/// </summary>
public static partial class CairnHost
{
    /// <summary>gRPC may carry a little more than --max-request-bytes, as etcd allows, so that the size error
    /// comes from the member with etcd's message rather than from the transport.</summary>
    private const int GrpcOverheadBytes = 512 * 1024;

    public static async Task<int> RunAsync(ServerConfig config, Action<ILoggingBuilder> configureLogging, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Kestrel warns that cleartext HTTP/2 needs ALPN; H2cPrefaceDetector serves it without.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);

        using var loggers = LoggerFactory.Create(configureLogging);
        var server = EtcdServer.Start(config, loggers, TimeProvider.System);
        await using (server.ConfigureAwait(false))
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AllowAlternateSchemes = true;
                kestrel.Limits.MaxRequestBodySize = config.MaxRequestBytes + GrpcOverheadBytes;
                kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
                foreach (var url in config.ListenClientUrls)
                {
                    Listen(kestrel, url);
                }
            });
            builder.Services.AddSingleton(server);
            builder.Services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = config.MaxRequestBytes + GrpcOverheadBytes;
                o.MaxSendMessageSize = int.MaxValue;
                o.Interceptors.Add<ErrorInterceptor>();
            });

            await using var app = builder.Build();
            app.MapGrpcService<KvService>();
            app.MapGrpcService<MaintenanceService>();
            app.MapGrpcService<ClusterService>();
            app.MapEtcdHttp(server);

            var logger = loggers.CreateLogger("cairn");
            await app.StartAsync(ct).ConfigureAwait(false);
            LogServing(logger, config.Name, MemberIdHex(server.MemberId), string.Join(",", config.ListenClientUrls.Select(u => u.OriginalString)));

            var stopping = app.Lifetime.ApplicationStopping;
            var stopped = Task.Delay(Timeout.Infinite, stopping);
            var finished = await Task.WhenAny(stopped, server.Completion).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            if (finished == server.Completion && server.Completion.IsFaulted)
            {
                LogFailed(logger, server.Completion.Exception!.GetBaseException());
                return 1;
            }
            return 0;
        }
    }

    private static string MemberIdHex(ulong id) => Membership.MemberIds.ToHex(id);

    /// <summary>Binds one client URL: localhost binds loopback, an IP binds that address; etcd refuses names.</summary>
    private static void Listen(KestrelServerOptions kestrel, Uri url)
    {
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            if (url.Scheme == "http")
            {
                listen.Use(next => context => H2cPrefaceDetector.OnConnectionAsync(context, next));
            }
            else
            {
                throw new StartupException(
                    $"--listen-client-urls {url.OriginalString}: TLS on client URLs is not supported by this version of cairn; use http://");
            }
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
            throw new StartupException(
                $"--listen-client-urls {url.OriginalString}: expected IP in URL for binding; use an IP address or localhost");
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "member {Name} ({Id}) serving clients on {Urls}")]
    private static partial void LogServing(ILogger logger, string name, string id, string urls);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "member stopped on an error")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
