using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Pki;

namespace Cairn.Ctl.Commands;

/// <summary>
/// pki init / issue / check: a CA, member and client certificates laid out like the guide's cfssl files
/// (ca.pem, ca-key.pem, etcd.pem, etcd-key.pem), and a check that tells whether a certificate fits a member's URLs.
/// </summary>
internal static class PkiCommands
{
    public static Command Create(CtlApp app) =>
        CommandRunner.Group(app, "pki", "Cairn's built-in PKI: make a CA, issue member and client certificates, check them",
            Init(app), Issue(app), Check(app));

    private static Command Init(CtlApp app)
    {
        var subject = new SubjectOptions("Cairn CA");
        var key = new KeyFlags();
        var outDir = GlobalOptions.Text("--out", "directory to write the CA into", ".");
        var name = GlobalOptions.Text("--name", "file name stem: NAME.pem and NAME-key.pem", "ca");
        var days = GlobalOptions.Int64("--days", "validity in days", 3650);
        var force = GlobalOptions.Flag("--force", "replace existing files", false);
        return CommandRunner.Create(app, "init", "Creates a CA: ca.pem and ca-key.pem", (ctx, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            using var caKey = CertificateFactory.NewKey(key.Algorithm(ctx));
            using var ca = CertificateFactory.CreateCa(subject.Build(ctx), caKey, TimeSpan.FromDays(ctx.Value(days)), now);
            var stem = Path.Combine(ctx.Value(outDir), ctx.Value(name));
            Write(() => PemFiles.Write(stem + ".pem", stem + "-key.pem", ca, caKey, key.Format(ctx), ctx.Value(force)));
            ctx.Console.WriteLine($"CA {ca.Subject} written to {stem}.pem and {stem}-key.pem, valid until {ca.NotAfter.ToUniversalTime():yyyy-MM-dd}");
            return Task.CompletedTask;
        }, [.. subject.All, .. key.All, outDir, name, days, force]);
    }

    private static Command Issue(CtlApp app)
    {
        var subject = new SubjectOptions("etcd");
        var key = new KeyFlags();
        var ca = GlobalOptions.Text("--ca", "the CA certificate", "ca.pem");
        var caKey = GlobalOptions.Text("--ca-key", "the CA private key", "ca-key.pem");
        var hosts = new Option<string[]>("--hosts") { Description = "DNS names and IP addresses the certificate covers (comma-separated, repeatable)", AllowMultipleArgumentsPerToken = false };
        var profile = GlobalOptions.Text("--profile", "peer (server+client auth, the guide's etcd.pem), server or client", "peer");
        var outDir = GlobalOptions.Text("--out", "directory to write into", ".");
        var name = GlobalOptions.Text("--name", "file name stem: NAME.pem and NAME-key.pem", "etcd");
        var certFile = GlobalOptions.Text("--cert-file", "certificate file name (default NAME.pem)");
        var keyFile = GlobalOptions.Text("--key-file", "key file name (default NAME-key.pem)");
        var days = GlobalOptions.Int64("--days", "validity in days (capped at the CA's)", 1825);
        var force = GlobalOptions.Flag("--force", "replace existing files", false);
        return CommandRunner.Create(app, "issue", "Issues a member or client certificate signed by the CA", (ctx, _) =>
        {
            var certProfile = Parse(() => KeyOptionNames.ParseProfile(ctx.Value(profile)));
            var hostList = Parse(() => HostList.Parse(ctx.Value(hosts) ?? []));
            if (hostList.IsEmpty && certProfile != CertificateProfile.Client)
            {
                throw CtlException.BadArgs("--hosts is required for member and server certificates: list every DNS name and IP the member is reached at");
            }

            X509Certificate2 caCert;
            AsymmetricAlgorithm caPrivate;
            try
            {
                caCert = PemFiles.ReadCertificates(ctx.Value(ca))[0];
                caPrivate = PemFiles.ReadPrivateKey(ctx.Value(caKey));
            }
            catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException)
            {
                throw CtlException.Error($"cannot load the CA: {e.Message} (create one with `cairnctl pki init`)");
            }

            using (caCert)
            using (caPrivate)
            using (var leafKey = CertificateFactory.NewKey(key.Algorithm(ctx)))
            {
                var now = DateTimeOffset.UtcNow;
                using var leaf = CertificateFactory.Issue(subject.Build(ctx), leafKey, hostList, certProfile, caCert, caPrivate, TimeSpan.FromDays(ctx.Value(days)), now);
                var dir = ctx.Value(outDir);
                var stem = ctx.Value(name);
                var certPath = Path.Combine(dir, ctx.Value(certFile) is { Length: > 0 } c ? c : stem + ".pem");
                var keyPath = Path.Combine(dir, ctx.Value(keyFile) is { Length: > 0 } k ? k : stem + "-key.pem");
                Write(() => PemFiles.Write(certPath, keyPath, leaf, leafKey, key.Format(ctx), ctx.Value(force)));
                ctx.Console.WriteLine($"{certProfile.ToString().ToLowerInvariant()} certificate {leaf.Subject} for {(hostList.IsEmpty ? "any host" : hostList.ToString())} written to {certPath} and {keyPath}, valid until {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}");
            }

            return Task.CompletedTask;
        }, [.. subject.All, .. key.All, ca, caKey, hosts, profile, outDir, name, certFile, keyFile, days, force]);
    }

    private static Command Check(CtlApp app)
    {
        var cert = GlobalOptions.Text("--cert", "the certificate to check (e.g. etcd.pem)");
        var key = GlobalOptions.Text("--key", "its private key (optional: checks they belong together)");
        var ca = GlobalOptions.Text("--ca", "the CA the members trust (optional: checks the chain)");
        var urls = new Option<string[]>("--url") { Description = "a URL the certificate must serve (repeatable, comma-separated)" };
        var hosts = new Option<string[]>("--hosts") { Description = "extra DNS names / IPs the certificate must cover" };
        var profile = GlobalOptions.Text("--profile", "the roles it plays: peer (server+client), server or client", "peer");
        return CommandRunner.Create(app, "check", "Tells whether a certificate fits a member's URLs, and why not", (ctx, _) =>
        {
            if (ctx.Value(cert) is not { Length: > 0 } certPath)
            {
                throw CtlException.BadArgs("--cert is required");
            }

            var request = new FitRequest
            {
                CertPath = certPath,
                KeyPath = ctx.Value(key) is { Length: > 0 } k ? k : null,
                CaPath = ctx.Value(ca) is { Length: > 0 } c ? c : null,
                Urls = [.. (ctx.Value(urls) ?? []).SelectMany(u => u.Split(',')).Select(u => u.Trim()).Where(u => u.Length > 0)],
                Hosts = Parse(() => HostList.Parse(ctx.Value(hosts) ?? [])),
                Profile = Parse(() => KeyOptionNames.ParseProfile(ctx.Value(profile))),
            };
            IReadOnlyList<Finding> findings;
            try
            {
                ctx.Console.WriteLine($"{certPath}: {FitCheck.Describe(PemFiles.ReadCertificates(certPath)[0])}");
                findings = FitCheck.Run(request, DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or FormatException)
            {
                throw CtlException.Error($"cannot check {certPath}: {e.Message}");
            }

            foreach (var f in findings)
            {
                ctx.Console.WriteLine($"{(f.Ok ? "ok  " : "FAIL")}  {f.Subject}: {f.Detail}");
                if (f.Fix is { } fix && !f.Ok)
                {
                    ctx.Console.WriteLine($"      fix: {fix}");
                }
            }

            var failures = findings.Count(f => !f.Ok);
            if (failures == 0)
            {
                ctx.Console.WriteLine($"{Path.GetFileName(certPath)} fits");
                return Task.CompletedTask;
            }

            ctx.Console.WriteLine($"{Path.GetFileName(certPath)} does not fit: {failures} problem{(failures == 1 ? "" : "s")}");
            throw new CtlException(ExitCode.Error, "") { PrintMessage = false };
        }, cert, key, ca, urls, hosts, profile);
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw CtlException.BadArgs(e.Message);
        }
    }

    private static void Write(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CtlException.Error(e.Message);
        }
    }

    /// <summary>--cn / --org / --ou / --country: the subject, as cfssl's CSR "CN" and "names".</summary>
    private sealed class SubjectOptions(string defaultCn)
    {
        public Option<string> Cn { get; } = GlobalOptions.Text("--cn", "common name", defaultCn);

        public Option<string> Org { get; } = GlobalOptions.Text("--org", "organization (O)");

        public Option<string> Unit { get; } = GlobalOptions.Text("--ou", "organizational unit (OU)");

        public Option<string> Country { get; } = GlobalOptions.Text("--country", "country (C)");

        public Option[] All => [Cn, Org, Unit, Country];

        public X500DistinguishedName Build(CtlContext ctx) =>
            CertificateFactory.Subject(ctx.Value(Cn), ctx.Value(Org), ctx.Value(Unit), ctx.Value(Country));
    }

    /// <summary>--key-type / --key-format.</summary>
    private sealed class KeyFlags
    {
        public Option<string> Type { get; } = GlobalOptions.Text("--key-type", "ecdsa (P-256) or rsa (2048)", "ecdsa");

        public Option<string> KeyFormat { get; } = GlobalOptions.Text("--key-format", "native (EC/RSA PRIVATE KEY, like cfssl) or pkcs8 (PRIVATE KEY)", "native");

        public Option[] All => [Type, KeyFormat];

        public KeyAlgorithm Algorithm(CtlContext ctx) => Parse(() => KeyOptionNames.ParseAlgorithm(ctx.Value(Type)));

        public Pki.KeyFormat Format(CtlContext ctx) => Parse(() => KeyOptionNames.ParseFormat(ctx.Value(KeyFormat)));
    }
}
