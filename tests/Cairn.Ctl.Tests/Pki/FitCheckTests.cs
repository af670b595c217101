using Cairn.Ctl.Pki;

namespace Cairn.Ctl.Tests.Pki;

/// <summary>pki check's verdicts: each reason a certificate does not fit a member, and the fix it names.</summary>
public sealed class FitCheckTests
{
    private static IReadOnlyList<Finding> Check(PkiTestFiles files, string name, string ca = "ca", CertificateProfile profile = CertificateProfile.Peer, params string[] urls) =>
        FitCheck.Run(new FitRequest
        {
            CertPath = files.Path_(name + ".pem"),
            KeyPath = files.Path_(name + "-key.pem"),
            CaPath = files.Path_(ca + ".pem"),
            Urls = urls,
            Profile = profile,
        }, DateTimeOffset.UtcNow);

    [Fact]
    public void MatchingCertificate_Fits()
    {
        using var files = new PkiTestFiles();
        files.Leaf("etcd", files.Ca(), "127.0.0.1,localhost");
        var findings = Check(files, "etcd", urls: ["https://127.0.0.1:2379", "https://localhost:2380"]);
        Assert.All(findings, f => Assert.True(f.Ok, f.ToString()));
    }

    [Fact]
    public void MissingIp_FailsAndNamesTheAddressAndTheFix()
    {
        using var files = new PkiTestFiles();
        files.Leaf("etcd", files.Ca(), "127.0.0.1");
        var bad = Assert.Single(Check(files, "etcd", urls: ["https://127.0.0.1:2380", "https://10.0.0.2:2380"]), f => !f.Ok);
        Assert.Equal("https://10.0.0.2:2380", bad.Subject);
        Assert.Contains("10.0.0.2 is not an IP SAN of etcd.pem (SANs: IP:127.0.0.1)", bad.Detail);
        Assert.Contains("cairnctl pki issue", bad.Fix);
        Assert.Contains("--hosts 127.0.0.1,10.0.0.2", bad.Fix);
    }

    [Fact]
    public void DnsName_WildcardCoversOneLabelOnly()
    {
        using var files = new PkiTestFiles();
        files.Leaf("etcd", files.Ca(), "*.etcd.example");
        var findings = Check(files, "etcd", urls: ["https://m1.etcd.example:2379", "https://a.b.etcd.example:2379"]);
        Assert.True(findings.Single(f => f.Subject == "https://m1.etcd.example:2379").Ok);
        Assert.False(findings.Single(f => f.Subject == "https://a.b.etcd.example:2379").Ok);
    }

    [Fact]
    public void OtherCa_FailsTheChain()
    {
        using var files = new PkiTestFiles();
        files.Ca("ca");
        files.Leaf("intruder", files.Ca("other"), "127.0.0.1");
        var bad = Assert.Single(Check(files, "intruder", "ca"), f => !f.Ok);
        Assert.Equal("chain", bad.Subject);
        Assert.Contains("does not vouch for", bad.Detail);
        Assert.Contains("--trusted-ca-file", bad.Fix);
    }

    [Fact]
    public void Expired_FailsValidity()
    {
        using var files = new PkiTestFiles();
        var longAgo = DateTimeOffset.UtcNow.AddDays(-400);
        var ca = files.Ca(validity: TimeSpan.FromDays(3650), now: longAgo);
        files.Leaf("old", ca, "127.0.0.1", validity: TimeSpan.FromDays(30), now: longAgo);
        var bad = Check(files, "old").First(f => !f.Ok);
        Assert.Equal("validity", bad.Subject);
        Assert.StartsWith("expired on ", bad.Detail);
    }

    [Fact]
    public void ClientOnlyCertificate_CannotServeAsAMember()
    {
        using var files = new PkiTestFiles();
        files.Leaf("client", files.Ca(), "127.0.0.1", profile: CertificateProfile.Client);
        var bad = Assert.Single(Check(files, "client"), f => !f.Ok);
        Assert.Equal("extended key usage", bad.Subject);
        Assert.Contains("server auth", bad.Detail);
        Assert.All(Check(files, "client", profile: CertificateProfile.Client), f => Assert.True(f.Ok, f.ToString()));
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsReported()
    {
        using var files = new PkiTestFiles();
        var ca = files.Ca();
        files.Leaf("a", ca, "127.0.0.1");
        files.Leaf("b", ca, "127.0.0.1");
        File.Copy(files.Path_("b-key.pem"), files.Path_("a-key.pem"), overwrite: true);
        var bad = Assert.Single(Check(files, "a"), f => !f.Ok);
        Assert.Equal("private key", bad.Subject);
        Assert.Contains("belongs to another certificate", bad.Detail);
    }
}
