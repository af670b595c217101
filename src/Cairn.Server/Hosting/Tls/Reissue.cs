using System.Security.Cryptography.X509Certificates;

namespace Cairn.Server.Hosting.Tls;

/// <summary>
/// The fix for a certificate that does not fit: the commands that re-issue it with its current hosts plus the missing
/// ones, with `cairnctl pki` and with cfssl as the guide does, writing the same file names.
/// </summary>
internal static class Reissue
{
    public static string Hint(string certFile, string keyFile, X509Certificate2 cert, IEnumerable<string> addHosts, string? caFile)
    {
        var hosts = HostMatch.IpSans(cert).Select(ip => ip.ToString())
            .Concat(HostMatch.DnsSans(cert))
            .Concat(addHosts)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var dir = Path.GetDirectoryName(certFile) is { Length: > 0 } d ? d : ".";
        var stem = Path.GetFileNameWithoutExtension(certFile);
        var ca = string.IsNullOrEmpty(caFile) ? Path.Combine(dir, "ca.pem") : caFile;
        var caKey = Path.Combine(Path.GetDirectoryName(ca) ?? "", Path.GetFileNameWithoutExtension(ca) + "-key.pem");
        var cn = cert.GetNameInfo(X509NameType.SimpleName, false);
        var keyName = Path.GetFileName(keyFile) == stem + "-key.pem" ? "" : " --key-file " + Path.GetFileName(keyFile);
        using var rsa = cert.GetRSAPublicKey();
        var keyType = rsa is null ? "" : " --key-type rsa";
        var json = string.Join(",", hosts.Select(h => $"\"{h}\""));
        return $"`cairnctl pki issue --ca {ca} --ca-key {caKey} --cn {(string.IsNullOrEmpty(cn) ? "etcd" : cn)} " +
            $"--hosts {string.Join(',', hosts)} --out {dir} --name {stem}{keyName}{keyType} --force`, " +
            $"or with cfssl: set \"hosts\":[{json}] in its CSR (the guide's etcd-csr.json) and rerun " +
            $"`cfssl gencert -ca={ca} -ca-key={caKey} -config=ca-config.json -profile=kubernetes etcd-csr.json | cfssljson -bare {stem}`; " +
            "then restart the member";
    }
}
