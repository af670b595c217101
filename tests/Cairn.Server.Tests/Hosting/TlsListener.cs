using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Server.Hosting;
using Cairn.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// A tiny Kestrel app behind <see cref="TlsSetup.ConfigureHttps"/> on a free port: /whoami answers the protocol,
/// scheme and the client certificate's common name; /health answers as etcd's does; /v2/members lists one member whose client URL is this listener, so the real
/// `ETCDCTL_API=2 etcdctl cluster-health` can run against it.
/// </summary>
public sealed class TlsListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsListener(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public string Endpoint => Url.GetLeftPart(UriPartial.Authority);

    internal static async Task<TlsListener> StartAsync(TlsSetup tls, string ip = "127.0.0.1")
    {
        var port = FreePort.Next();
        var url = new Uri($"https://{ip}:{port}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(IPAddress.Parse(ip), port, tls.ConfigureHttps);
        });
        var app = builder.Build();
        app.MapGet("/whoami", (HttpContext http) => Results.Text(
            $"{http.Request.Protocol} {http.Request.Scheme} {http.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false)}"));
        app.MapGet("/v2/members", () => Results.Text(
            $$"""{"members":[{"id":"8e9e05c52164694d","name":"tls","peerURLs":["https://{{ip}}:2380"],"clientURLs":["{{url.GetLeftPart(UriPartial.Authority)}}"]}]}""",
            "application/json"));
        app.MapGet("/health", () => Results.Text("""{"health":"true","reason":""}""", "application/json"));
        await app.StartAsync();
        return new TlsListener(app, url);
    }

    /// <summary>An HTTP client that trusts <paramref name="caFile"/> and presents <paramref name="clientCert"/>.</summary>
    public static HttpClient Client(string? caFile, PemPair? clientCert, Version? version = null, Action<SslClientAuthenticationOptions>? tweak = null)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (caFile is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.ImportFromPemFile(caFile);
            ssl.CertificateChainPolicy = policy;
        }

        if (clientCert is not null)
        {
            ssl.ClientCertificates = [clientCert.Load()];
        }

        tweak?.Invoke(ssl);
        return new HttpClient(new SocketsHttpHandler { SslOptions = ssl, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
