using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Api.Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.Bench.Load;

/// <summary>
/// The load's gRPC connections: <c>conns</c> channels, each exactly one HTTP/2 connection, spread over the endpoints
/// round-robin; client <c>i</c> uses channel <c>i mod conns</c>, as etcd's benchmark tool does.
/// </summary>
internal sealed class Connections : IDisposable
{
    private readonly List<GrpcChannel> _channels;

    private Connections(List<GrpcChannel> channels) => _channels = channels;

    public int Count => _channels.Count;

    public static Connections Open(LoadSettings settings)
    {
        var tls = settings.Tls;
        var roots = tls.CaCert is { } ca ? LoadCertificates(ca) : null;
        var clientCert = tls.Cert is { } cert ? X509Certificate2.CreateFromPemFile(cert, tls.Key) : null;
        var channels = Enumerable.Range(0, settings.Conns)
            .Select(i => CreateChannel(settings.Endpoints[i % settings.Endpoints.Count], tls.Enabled, roots, clientCert))
            .ToList();
        return new Connections(channels);
    }

    public GrpcChannel ForClient(int client) => _channels[client % _channels.Count];

    public KV.KVClient Kv(int client) => new(ForClient(client));

    /// <summary>Opens every connection with one cheap serializable read, so connecting is not part of the load.</summary>
    public async Task WarmAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_channels.Select(async c =>
        {
            await new KV.KVClient(c).RangeAsync(
                new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("cairn-bench/warm"), Serializable = true, CountOnly = true },
                deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    /// <summary>Deadline for one request: generous, so a slow server shows in latency rather than errors.</summary>
    public static DateTime Deadline() => DateTime.UtcNow + TimeSpan.FromSeconds(30);

    private static GrpcChannel CreateChannel(string endpoint, bool tls, X509Certificate2Collection? roots, X509Certificate2? clientCert)
    {
        var address = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : (tls ? "https://" : "http://") + endpoint;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (tls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCert is null ? null : [clientCert],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Verify(certificate, errors, roots),
            };
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
        });
    }

    /// <summary>With --cacert the chain must end at one of its certificates; the name must match either way.</summary>
    private static bool Verify(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? roots)
    {
        if (roots is null || certificate is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static X509Certificate2Collection LoadCertificates(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        return collection;
    }
}
