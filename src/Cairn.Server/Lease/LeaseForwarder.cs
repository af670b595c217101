using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Configuration;
using Grpc.Core;
using Grpc.Net.Client;
using LeaseClient = Cairn.Api.Etcdserverpb.Lease.LeaseClient;

namespace Cairn.Server.Lease;

/// <summary>
/// Carries a follower's keep-alives and TimeToLive requests to the leader, whose lessor alone tracks expiry
/// (etcd 3.4 forwards them over the peer URLs' /leases endpoint; Cairn uses the leader's advertised client URLs and
/// the etcd gRPC API). One channel per URL is kept, and a few long-lived keep-alive streams on it that all forwarded
/// keep-alives share (a stream per keep-alive would cost a round of HTTP/2 headers each). With https client URLs the
/// member's own client certificate and trusted CA (--cert-file, --key-file, --trusted-ca-file) are used.
/// </summary>
internal sealed class LeaseForwarder(TransportSecurity tls) : IDisposable
{
    /// <summary>Keep-alive streams per leader URL, used in turn, so one slow renewal holds up only its own stream.</summary>
    private const int StreamsPerUrl = 4;

    private readonly Lock gate = new();
    private readonly Dictionary<string, GrpcChannel> channels = [];
    private readonly Dictionary<string, KeepAliveStream?[]> streams = [];
    private int nextStream;

    /// <summary>One keep-alive on the leader at <paramref name="url"/>: its TTL, 0 for an unknown lease.</summary>
    public Task<long> RenewAsync(string url, long id, CancellationToken ct) => Stream(url).RenewAsync(id, ct);

    private KeepAliveStream Stream(string url)
    {
        var channel = Channel(url);
        lock (gate)
        {
            if (!streams.TryGetValue(url, out var pool))
            {
                streams[url] = pool = new KeepAliveStream?[StreamsPerUrl];
            }
            var slot = (int)((uint)nextStream++ % StreamsPerUrl);
            if (pool[slot] is not { IsBroken: false } stream)
            {
                pool[slot]?.Dispose();
                pool[slot] = stream = new KeepAliveStream(channel);
            }
            return stream;
        }
    }

    public async Task<LeaseTimeToLiveResponse> TimeToLiveAsync(string url, LeaseTimeToLiveRequest request, CancellationToken ct) =>
        await new LeaseClient(Channel(url)).LeaseTimeToLiveAsync(request, cancellationToken: ct).ConfigureAwait(false);

    private GrpcChannel Channel(string url)
    {
        lock (gate)
        {
            if (!channels.TryGetValue(url, out var channel))
            {
                channels[url] = channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions
                {
                    HttpHandler = Handler(url),
                    DisposeHttpClient = true,
                });
            }
            return channel;
        }
    }

    private SocketsHttpHandler Handler(string url)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (!url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return handler;
        }
        var ssl = new SslClientAuthenticationOptions();
        if (tls.CertFile.Length > 0 && tls.KeyFile.Length > 0)
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)];
        }
        if (tls.TrustedCaFile.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.TrustedCaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
        handler.SslOptions = ssl;
        return handler;
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var stream in streams.Values.SelectMany(p => p))
            {
                stream?.Dispose();
            }
            streams.Clear();
            foreach (var channel in channels.Values)
            {
                channel.Dispose();
            }
            channels.Clear();
        }
    }
}
