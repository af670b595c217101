using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Hosting;

/// <summary>
/// Lets one cleartext port serve gRPC over h2c (prior knowledge, as etcdctl and clientv3 speak it) and HTTP/1.1
/// (/health, /version, /metrics, /v2). Kestrel picks HTTP/1.1 for any cleartext connection that allows it, so this
/// middleware peeks at the first bytes without consuming them: when they are the HTTP/2 connection preface, it marks
/// the connection as if ALPN had chosen "h2". KestrelServerOptions.AllowAlternateSchemes must be on, because the
/// requests then carry :scheme http on a connection Kestrel believes is TLS.
/// </summary>
internal static class H2cPrefaceDetector
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        bool isHttp2;
        try
        {
            isHttp2 = await StartsWithPrefaceAsync(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The peer closed the connection before sending a request.
            return;
        }
        if (isHttp2)
        {
            var feature = new CleartextTlsFeature();
            context.Features.Set<ITlsConnectionFeature>(feature);
            context.Features.Set<ITlsApplicationProtocolFeature>(feature);
            Http2AuthorityRewriter.Install(context);
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Reads until the bytes either match the whole preface or diverge from it; consumes nothing.</summary>
    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext context)
    {
        var input = context.Transport.Input;
        var head = new byte[Preface.Length];
        while (true)
        {
            var result = await input.ReadAsync(context.ConnectionClosed).ConfigureAwait(false);
            var buffer = result.Buffer;
            var n = (int)Math.Min(buffer.Length, Preface.Length);
            buffer.Slice(0, n).CopyTo(head);
            var matches = head.AsSpan(0, n).SequenceEqual(Preface.AsSpan(0, n));
            var decided = !matches || n == Preface.Length || result.IsCompleted || result.IsCanceled;
            // Examined everything, consumed nothing: the next ReadAsync waits for more data.
            input.AdvanceTo(buffer.Start, decided ? buffer.Start : buffer.End);
            if (decided)
            {
                return matches && n == Preface.Length;
            }
        }
    }

    /// <summary>Stands in for a TLS handshake that chose h2; there is no certificate.</summary>
    private sealed class CleartextTlsFeature : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        private static readonly byte[] H2 = "h2"u8.ToArray();

        public X509Certificate2? ClientCertificate { get; set; }

        public ReadOnlyMemory<byte> ApplicationProtocol => H2;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) =>
            Task.FromResult<X509Certificate2?>(null);
    }
}
