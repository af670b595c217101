using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// What Kestrel sees of an established TLS connection: the decrypted pipes, and the features it reads — the
/// negotiated ALPN protocol (h2 selects HTTP/2) and the client certificate (HttpContext.Connection.ClientCertificate).
/// <para>A client that refuses our certificate only after its side of the handshake is done (.NET's SslStream checks
/// the server certificate then) ends the connection before sending any data, with an alert or a bare close;
/// <paramref name="endedBeforeData"/> hears of it, with the exception if there was one.</para>
/// </summary>
internal sealed class TlsConnection(SslStream ssl, Action<Exception?> endedBeforeData)
    : ITlsConnectionFeature, ITlsApplicationProtocolFeature, IDuplexPipe
{
    private readonly FirstReadWatch watch = new(ssl, endedBeforeData);

    public PipeReader Input => field ??= PipeReader.Create(watch, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));

    public X509Certificate2? ClientCertificate { get; set; } = ssl.RemoteCertificate as X509Certificate2;

    public ReadOnlyMemory<byte> ApplicationProtocol => ssl.NegotiatedApplicationProtocol.Protocol;

    public bool IsHttp2 => ssl.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2;

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    /// <summary>Completes both pipes (Kestrel has normally done so) and closes TLS.</summary>
    public async ValueTask CloseAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        await ssl.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads through to the TLS stream, reporting an end (error or EOF) that comes before the first byte.</summary>
    private sealed class FirstReadWatch(Stream inner, Action<Exception?> endedBeforeData) : Stream
    {
        private bool sawData;

        public override bool CanRead => true;

        public override bool CanWrite => false;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n;
            try
            {
                n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!sawData && e is IOException or System.Security.Authentication.AuthenticationException)
            {
                sawData = true;
                endedBeforeData(e);
                throw;
            }

            if (n == 0 && !sawData && buffer.Length > 0)
            {
                endedBeforeData(null);
            }

            sawData |= n > 0 || buffer.Length > 0 && n == 0;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
