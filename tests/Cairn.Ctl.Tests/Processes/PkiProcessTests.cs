using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>
/// cairnctl pki against the real world: real etcd 3.4 serving TLS with certificates cairnctl issued (Go's crypto/tls
/// loads every key format), the real etcdctl and cairnctl talking to it with client certificates, and certificates
/// made by cfssl the guide's way understood by `pki check`.
/// </summary>
[Collection("Processes")]
public sealed class PkiProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cairnctl-pki-").FullName;

    [Theory(Timeout = Hang.Default)]
    [InlineData("rsa", "native")]
    [InlineData("ecdsa", "native")]
    [InlineData("ecdsa", "pkcs8")]
    public async Task RealEtcd_ServesTls_WithCairnctlCertificates(string keyType, string keyFormat)
    {
        var pki = new Cairnctl(null);
        (await pki.RunAsync("pki", "init", "--out", _dir, "--key-type", keyType, "--key-format", keyFormat)).EnsureSuccess();
        (await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"), "--hosts", "127.0.0.1,localhost",
            "--key-type", keyType, "--key-format", keyFormat)).EnsureSuccess();
        (await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"), "--profile", "client", "--cn", "root",
            "--name", "client", "--key-type", keyType, "--key-format", keyFormat)).EnsureSuccess();
        (await pki.RunAsync("pki", "init", "--out", _dir, "--name", "other")).EnsureSuccess();
        (await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("other.pem"), "--ca-key", P("other-key.pem"), "--profile", "client", "--name", "intruder")).EnsureSuccess();
        Assert.True(File.Exists(P("etcd.pem")) && File.Exists(P("etcd-key.pem")) && File.Exists(P("ca.pem")));

        var check = await pki.RunAsync("pki", "check", "--cert", P("etcd.pem"), "--key", P("etcd-key.pem"), "--ca", P("ca.pem"), "--url", "https://127.0.0.1:2379,https://localhost:2380");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.EndsWith("etcd.pem fits", check.Stdout.TrimEnd());

        var tlsPort = FreePort.Next();
        await using var etcd = await StartTlsEtcdAsync(tlsPort, P("etcd.pem"), P("etcd-key.pem"), P("ca.pem"));
        var endpoint = $"https://127.0.0.1:{tlsPort}";
        var tlsFlags = new[] { "--cacert", P("ca.pem"), "--cert", P("client.pem"), "--key", P("client-key.pem") };
        var real = new Etcdctl(endpoint);
        (await real.RunAsync([.. tlsFlags, "put", "secure", "yes"], stdin: null)).EnsureSuccess();
        var ours = new Cairnctl(endpoint);
        Assert.Equal("secure\nyes\n", (await ours.RunAsync([.. tlsFlags, "get", "secure"], stdin: null)).EnsureSuccess().Stdout);
        Assert.Equal((await real.RunAsync([.. tlsFlags, "member", "list", "-w", "json"], stdin: null)).Stdout,
            (await ours.RunAsync([.. tlsFlags, "member", "list", "-w", "json"], stdin: null)).Stdout);

        var intruder = await real.RunAsync(["--cacert", P("ca.pem"), "--cert", P("intruder.pem"), "--key", P("intruder-key.pem"), "--command-timeout=3s", "get", "secure"], stdin: null);
        Assert.NotEqual(0, intruder.ExitCode);
        var ourIntruder = await ours.RunAsync(["--cacert", P("ca.pem"), "--cert", P("intruder.pem"), "--key", P("intruder-key.pem"), "--command-timeout=3s", "get", "secure"], stdin: null);
        Assert.NotEqual(0, ourIntruder.ExitCode);
        Assert.Equal("", ourIntruder.Stdout);
        var noClientCert = await ours.RunAsync(["--cacert", P("ca.pem"), "--command-timeout=3s", "get", "secure"], stdin: null);
        Assert.NotEqual(0, noClientCert.ExitCode);
        var wrongCa = await ours.RunAsync(["--cacert", P("other.pem"), "--cert", P("client.pem"), "--key", P("client-key.pem"), "--command-timeout=3s", "get", "secure"], stdin: null);
        Assert.NotEqual(0, wrongCa.ExitCode);
        var skipVerify = await ours.RunAsync(["--insecure-skip-tls-verify", "--cert", P("client.pem"), "--key", P("client-key.pem"), "get", "secure", "--print-value-only"], stdin: null);
        Assert.Equal("yes\n", skipVerify.EnsureSuccess().Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task CfsslCertificates_AreCheckedAndUsable()
    {
        File.WriteAllText(P("ca-config.json"), """{"signing":{"default":{"expiry":"8760h"},"profiles":{"kubernetes":{"usages":["signing","key encipherment","server auth","client auth"],"expiry":"8760h"}}}}""");
        File.WriteAllText(P("ca-csr.json"), """{"CN":"kubernetes","key":{"algo":"rsa","size":2048},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
        File.WriteAllText(P("etcd-csr.json"), """{"CN":"etcd","hosts":["127.0.0.1","localhost"],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","O":"k8s","OU":"System"}]}""");
        await CfsslAsync("ca", "gencert", "-initca", "ca-csr.json");
        await CfsslAsync("etcd", "gencert", "-ca=ca.pem", "-ca-key=ca-key.pem", "-config=ca-config.json", "-profile=kubernetes", "etcd-csr.json");
        await CfsslAsync("other", "gencert", "-initca", "ca-csr.json");
        await CfsslAsync("intruder", "gencert", "-ca=other.pem", "-ca-key=other-key.pem", "-config=ca-config.json", "-profile=kubernetes", "etcd-csr.json");

        var pki = new Cairnctl(null);
        var fits = await pki.RunAsync("pki", "check", "--cert", P("etcd.pem"), "--key", P("etcd-key.pem"), "--ca", P("ca.pem"), "--url", "https://127.0.0.1:2379", "--url", "https://localhost:2380");
        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.Contains("ok    extended key usage: server auth, client auth", fits.Stdout);

        var wrongIp = await pki.RunAsync("pki", "check", "--cert", P("etcd.pem"), "--ca", P("ca.pem"), "--url", "https://10.138.148.162:2380");
        Assert.Equal(1, wrongIp.ExitCode);
        Assert.Contains("FAIL  https://10.138.148.162:2380: 10.138.148.162 is not an IP SAN of etcd.pem (SANs: DNS:localhost, IP:127.0.0.1)", wrongIp.Stdout);
        Assert.Contains("fix: re-issue it with every address the member is reached at: cairnctl pki issue", wrongIp.Stdout);
        Assert.Contains("--hosts localhost,127.0.0.1,10.138.148.162", wrongIp.Stdout);

        var intruder = await pki.RunAsync("pki", "check", "--cert", P("intruder.pem"), "--ca", P("ca.pem"));
        Assert.Equal(1, intruder.ExitCode);
        Assert.Contains("FAIL  chain:", intruder.Stdout);

        // cairnctl can issue from cfssl's CA, and talks TLS to an etcd that serves cfssl's certificate.
        (await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"), "--profile", "client", "--name", "client")).EnsureSuccess();
        var tlsPort = FreePort.Next();
        await using var etcd = await StartTlsEtcdAsync(tlsPort, P("etcd.pem"), P("etcd-key.pem"), P("ca.pem"));
        var ours = new Cairnctl($"https://127.0.0.1:{tlsPort}");
        (await ours.RunAsync(["--cacert", P("ca.pem"), "--cert", P("client.pem"), "--key", P("client-key.pem"), "put", "k", "v"], stdin: null)).EnsureSuccess();
        (await ours.RunAsync(["--cacert", P("ca.pem"), "--cert", P("etcd.pem"), "--key", P("etcd-key.pem"), "get", "k"], stdin: null)).EnsureSuccess();
    }

    [Fact(Timeout = Hang.Default)]
    public async Task PkiCommands_RefuseMistakes()
    {
        var pki = new Cairnctl(null);
        (await pki.RunAsync("pki", "init", "--out", _dir)).EnsureSuccess();
        var again = await pki.RunAsync("pki", "init", "--out", _dir);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists (use --force to replace it)", again.Stderr);
        var noHosts = await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("ca.pem"), "--ca-key", P("ca-key.pem"));
        Assert.Equal(128, noHosts.ExitCode);
        Assert.Contains("--hosts is required", noHosts.Stderr);
        var noCa = await pki.RunAsync("pki", "issue", "--out", _dir, "--ca", P("missing.pem"), "--ca-key", P("missing-key.pem"), "--hosts", "x");
        Assert.Equal(1, noCa.ExitCode);
        Assert.Contains("cannot load the CA", noCa.Stderr);
    }

    private Task<TlsEtcd> StartTlsEtcdAsync(int tlsPort, string cert, string key, string ca) =>
        TlsEtcd.StartAsync(_dir, tlsPort, cert, key, ca, "etcd");

    /// <summary>cfssl gencert ... | cfssljson -bare NAME, in the test folder (the guide's commands).</summary>
    private async Task CfsslAsync(string bare, params string[] args)
    {
        var command = $"cd '{_dir}' && cfssl {string.Join(' ', args)} 2>/dev/null | cfssljson -bare {bare}";
        var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", command], timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0 && File.Exists(P(bare + ".pem")), result.ToString());
    }

    private string P(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
