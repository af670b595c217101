using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Cairn.Server.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// The server side of TLS on one https listener, as a Kestrel connection middleware. It runs the handshake itself
/// (rather than through ListenOptions.UseHttps) so that a failed handshake is logged with its cause and fix, as etcd
/// logs `rejected connection from "ip:port" (error "...", ServerName "")`: a client certificate refused here names
/// the reason; a certificate of ours refused by the other end (the guide's "remote error: tls: bad certificate")
/// names our certificate file, the address the client dialed that it lacks, and how to re-issue it.
/// Client certificates are required when --client-cert-auth or --trusted-ca-file is set (etcd's rule), except with
/// --auto-tls. On the peer side, a client certificate must also cover the address it connects from (etcd's SAN check,
/// off with --experimental-peer-skip-client-san-verification).
/// </summary>
internal sealed partial class TlsHandshakeMiddleware(
    TlsFlags flags, TransportSecurity tls, MemberCertificate certificate, RemoteVerifier verifier,
    CipherSuitesPolicy? ciphers, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
    private readonly LogThrottle throttle = new(time, TimeSpan.FromSeconds(10));

    public bool RequiresClientCertificate { get; } =
        !certificate.SelfSigned && (tls.ClientCertAuth || tls.TrustedCaFile.Length > 0);

    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (context.Features.Get<ITlsConnectionFeature>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var state = new HandshakeState(context.RemoteEndPoint as IPEndPoint, context.LocalEndPoint as IPEndPoint);
        var transport = context.Transport;
        var raw = new DuplexPipeStream(transport);
        var ssl = new SslStream(raw, leaveInnerStreamOpen: true);
        // Only the timeout cancels the handshake, not ConnectionClosed: a client that sends an alert and resets the
        // connection must still have its alert read, or the report would lose the reason.
        using var timeout = new CancellationTokenSource(HandshakeTimeout, time);
        try
        {
            await ssl.AuthenticateAsServerAsync(SelectOptions, state, timeout.Token).ConfigureAwait(false);
            if (await CheckPeerAddressAsync(ssl, state, timeout.Token).ConfigureAwait(false) is { } refused)
            {
                state.Rejection = refused;
                throw new AuthenticationException(refused.Reason);
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            ReportFailure(state, e, raw.BytesRead, timeout.IsCancellationRequested);
            await ssl.DisposeAsync().ConfigureAwait(false);
            await raw.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var connection = new TlsConnection(ssl, e => ReportEndedBeforeData(state, e));
        context.Features.Set<ITlsConnectionFeature>(connection);
        context.Features.Set<ITlsApplicationProtocolFeature>(connection);
        context.Transport = connection;
        if (connection.IsHttp2)
        {
            Http2AuthorityRewriter.Install(context);
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await connection.CloseAsync().ConfigureAwait(false);
            await raw.DisposeAsync().ConfigureAwait(false);
            context.Transport = transport;
        }
    }

    private ValueTask<SslServerAuthenticationOptions> SelectOptions(
        SslStream stream, SslClientHelloInfo hello, object? stateObject, CancellationToken ct)
    {
        var state = (HandshakeState)stateObject!;
        state.HelloSeen = true;
        state.ServerName = hello.ServerName ?? "";
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.Context,
            ClientCertificateRequired = RequiresClientCertificate,
            RemoteCertificateValidationCallback = (_, cert, chain, _) => ValidateClient(state, cert, chain),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Alpn,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
        if (ciphers is not null && OperatingSystem.IsLinux())
        {
            options.CipherSuitesPolicy = ciphers;
        }

        return ValueTask.FromResult(options);
    }

    private bool ValidateClient(HandshakeState state, X509Certificate? cert, X509Chain? chain)
    {
        if (!RequiresClientCertificate)
        {
            return true;
        }

        if (cert is null)
        {
            var why = tls.ClientCertAuth ? flags.ClientCertAuth : $"{flags.TrustedCaFile} is set";
            state.Rejection = new Rejection("tls: client didn't provide a certificate",
                $"this URL requires a client certificate ({why}): give the client one issued by {Ca} " +
                "(etcdctl --cert/--key, ETCDCTL_API=2 etcdctl --cert-file/--key-file, curl --cert/--key)");
            return false;
        }

        using var owned = cert as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()) : null;
        state.Rejection = verifier.VerifyClient(owned ?? (X509Certificate2)cert, chain);
        return state.Rejection is null;
    }

    /// <summary>etcd's peer listener rejects a client certificate that does not cover the address it connects from.</summary>
    private async Task<Rejection?> CheckPeerAddressAsync(SslStream ssl, HandshakeState state, CancellationToken ct)
    {
        if (flags.Side != TlsSide.Peer || tls.SkipClientSanVerification || !RequiresClientCertificate
            || ssl.RemoteCertificate is not X509Certificate2 cert || state.Remote is null)
        {
            return null;
        }

        var reason = await HostMatch.CheckRemoteAddressAsync(cert, state.Remote.Address, ct).ConfigureAwait(false);
        if (reason is null)
        {
            return null;
        }

        var address = state.Remote.Address.IsIPv4MappedToIPv6 ? state.Remote.Address.MapToIPv4() : state.Remote.Address;
        return new Rejection($"{reason}: the peer's client certificate ({CertificateFiles.Describe(cert)}) does not cover {address}, the address it connects from",
            $"re-issue the {flags.CertFile} of the member at {address} with {address} in its hosts: " +
            Reissue.Hint(certificate.CertFile, certificate.KeyFile, cert, [address.ToString()], tls.TrustedCaFile));
    }

    private void ReportFailure(HandshakeState state, Exception e, long bytesRead, bool timedOut)
    {
        var remote = state.Remote?.ToString() ?? "?";
        var local = state.Local?.ToString() ?? "?";
        if (state.Rejection is { } rejection)
        {
            Warn("refused:" + state.Remote?.Address + rejection.Reason, remote, local, state.ServerName, rejection.Reason, rejection.Fix);
            return;
        }

        if (!state.HelloSeen && bytesRead == 0)
        {
            LogClosedEarly(logger, remote, timedOut ? "sent nothing within " + HandshakeTimeout.TotalSeconds + " s" : "closed without a handshake");
            return;
        }

        if (!state.HelloSeen)
        {
            Warn("plain:" + state.Remote?.Address, remote, local, "", "tls: first record does not look like a TLS handshake",
                $"this {flags.Noun} URL is https: the client must use https:// and TLS " +
                (flags.Side == TlsSide.Client ? "(etcdctl --cacert, plus --cert/--key when client certificates are required)" : "(every member's peer URLs must be https://)"));
            return;
        }

        var alert = RemoteAlert(e);
        if (alert is null)
        {
            var message = timedOut ? "tls: handshake timed out" : Innermost(e);
            Warn("failed:" + state.Remote?.Address + message, remote, local, state.ServerName, message,
                "check that both ends share a TLS version (1.2 or 1.3) and a cipher suite (--cipher-suites)");
            return;
        }

        Warn("alert:" + state.Remote?.Address + alert, remote, local, state.ServerName, "remote error: tls: " + alert, OurCertificateFix(state, alert));
    }

    /// <summary>
    /// The connection ended before its first byte of data: a client that checks our certificate only after its side
    /// of the handshake (.NET does) and refused it. Reported when there is an alert, or when our certificate does not
    /// cover the address dialed; a bare close otherwise is an ordinary probe.
    /// </summary>
    private void ReportEndedBeforeData(HandshakeState state, Exception? e)
    {
        var alert = e is null ? null : RemoteAlert(e);
        if (alert is not null)
        {
            Warn("alert:" + state.Remote?.Address + alert, state.Remote?.ToString() ?? "?", state.Local?.ToString() ?? "?",
                state.ServerName, "remote error: tls: " + alert, OurCertificateFix(state, alert));
            return;
        }

        var dialed = DialedHost(state);
        if (!certificate.SelfSigned && dialed is not null && !HostMatch.Covers(certificate.Leaf, dialed))
        {
            Warn("closed:" + state.Remote?.Address, state.Remote?.ToString() ?? "?", state.Local?.ToString() ?? "?", state.ServerName,
                "the client closed the connection right after the TLS handshake, refusing this member's certificate " +
                "(Go clients report this as \"remote error: tls: bad certificate\")",
                OurCertificateFix(state, "bad certificate"));
        }
    }

    private static string? DialedHost(HandshakeState state) =>
        state.ServerName.Length > 0 ? state.ServerName : Unmapped(state.Local?.Address)?.ToString();

    /// <summary>The other end refused the certificate this member presented: say why it probably did.</summary>
    private string OurCertificateFix(HandshakeState state, string alert)
    {
        if (certificate.SelfSigned)
        {
            return $"this member presents a self-signed certificate ({flags.AutoTls}): clients must skip verification " +
                "(etcdctl --insecure-skip-tls-verify) or the member needs real certificates";
        }

        var leaf = certificate.Leaf;
        var dialed = DialedHost(state);
        if (dialed is not null && !HostMatch.Covers(leaf, dialed))
        {
            return $"the {flags.Noun} refused this member's certificate {certificate.CertFile} because its SANs ({certificate.SanText}) " +
                $"do not include {dialed}, the address it dialed; re-issue {Path.GetFileName(certificate.CertFile)} with {dialed} in its hosts: " +
                Reissue.Hint(certificate.CertFile, certificate.KeyFile, leaf, [dialed], tls.TrustedCaFile);
        }

        if (alert.Contains("expired", StringComparison.Ordinal))
        {
            return $"the {flags.Noun} finds this member's certificate {certificate.CertFile} expired or not yet valid (valid " +
                $"{CertificateFiles.Date(leaf.NotBefore)} to {CertificateFiles.Date(leaf.NotAfter)}): check the clocks, or re-issue it";
        }

        return $"the {flags.Noun} does not accept this member's certificate {certificate.CertFile} (issuer \"{leaf.Issuer}\"): " +
            $"it must trust that CA (etcdctl --cacert {Ca}; peers: {TlsFlags.Peer.TrustedCaFile}), and the certificate must allow server auth";
    }

    private void Warn(string key, string remote, string local, string serverName, string error, string fix)
    {
        if (throttle.ShouldLog(key, out var suppressed))
        {
            LogRejected(logger, flags.Noun, remote, local, error, serverName, fix,
                suppressed == 0 ? "" : $" ({suppressed} more like this since the last report)");
        }
    }

    /// <summary>"bad certificate" from OpenSSL's "sslv3 alert bad certificate", named as Go names alerts.</summary>
    internal static string? RemoteAlert(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            var match = AlertPattern().Match(x.Message);
            if (match.Success)
            {
                var alert = match.Groups[1].Value.Trim();
                return alert switch
                {
                    "unknown ca" => "unknown certificate authority",
                    "certificate expired" => "expired certificate",
                    "certificate unknown" => "unknown certificate",
                    "certificate revoked" => "revoked certificate",
                    "protocol version" => "protocol version not supported",
                    "decrypt error" => "error decrypting message",
                    _ => alert,
                };
            }
        }

        return null;
    }

    private static string Innermost(Exception e)
    {
        var x = e;
        while (x.InnerException is not null)
        {
            x = x.InnerException;
        }

        return x.Message;
    }

    private static IPAddress? Unmapped(IPAddress? a) => a is { IsIPv4MappedToIPv6: true } ? a.MapToIPv4() : a;

    private string Ca => tls.TrustedCaFile.Length > 0 ? tls.TrustedCaFile : "the CA";

    [GeneratedRegex(@"alert ([a-z0-9 ]+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex AlertPattern();

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning,
        Message = "{Side} TLS: rejected connection from {Remote} to {Local} (error \"{Error}\", ServerName \"{ServerName}\"); fix: {Fix}{Repeats}")]
    private static partial void LogRejected(ILogger logger, string side, string remote, string local, string error, string serverName, string fix, string repeats);

    [LoggerMessage(EventId = 601, Level = LogLevel.Debug, Message = "TLS: connection from {Remote} {What}")]
    private static partial void LogClosedEarly(ILogger logger, string remote, string what);

    /// <summary>What one handshake got to, for the failure report.</summary>
    private sealed class HandshakeState(IPEndPoint? remote, IPEndPoint? local)
    {
        public IPEndPoint? Remote { get; } = remote;

        public IPEndPoint? Local { get; } = local;

        public bool HelloSeen { get; set; }

        public string ServerName { get; set; } = "";

        public Rejection? Rejection { get; set; }
    }
}
