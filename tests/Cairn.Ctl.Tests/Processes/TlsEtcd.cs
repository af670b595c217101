using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>
/// One real etcd 3.4 serving clients over TLS only, with --client-cert-auth (the shared ProcessMember fixture speaks
/// plain HTTP). Ready once GET /health over TLS, presenting the member certificate as the client, says healthy.
/// </summary>
internal sealed class TlsEtcd : IAsyncDisposable
{
    private readonly Process _process;

    private TlsEtcd(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public static async Task<TlsEtcd> StartAsync(string dir, int clientPort, string cert, string key, string ca, string name)
    {
        var peerPort = FreePort.Next();
        var peer = $"http://127.0.0.1:{peerPort}";
        var client = $"https://127.0.0.1:{clientPort}";
        var log = Path.Combine(dir, Path.GetFileName(name) + "-" + clientPort + ".log");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(log);
        string[] args =
        [
            ClusterParityTests.ServerBinaryPath("etcd"), "--name", "tls", "--data-dir", Path.Combine(dir, $"tls-{clientPort}.data"),
            "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"tls={peer}", "--cert-file", cert, "--key-file", key, "--trusted-ca-file", ca, "--client-cert-auth",
        ];
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var variable in psi.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(variable);
        }

        var etcd = new TlsEtcd(Process.Start(psi) ?? throw new InvalidOperationException("could not start etcd"), log);
        try
        {
            using var identity = X509Certificate2.CreateFromPemFile(cert, key);
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [identity],
                    RemoteCertificateValidationCallback = (_, c, _, _) => c is not null,
                },
            }) { Timeout = TimeSpan.FromSeconds(2) };
            await Wait.UntilAsync(
                async ct =>
                {
                    if (etcd._process.HasExited)
                    {
                        throw new InvalidOperationException("etcd exited: " + File.ReadAllText(log));
                    }

                    try
                    {
                        return (await http.GetStringAsync(client + "/health", ct)).Contains("\"health\":\"true\"", StringComparison.Ordinal);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(30),
                "TLS etcd to be healthy");
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
