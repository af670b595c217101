namespace Cairn.Ctl.Pki;

/// <summary>The key algorithm of a new certificate: ECDSA P-256 (cfssl's default) or RSA 2048 (the guide's choice).</summary>
internal enum KeyAlgorithm
{
    EcdsaP256,
    Rsa2048,
}

/// <summary>
/// How a private key is written: "native" is what cfssl writes (SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"),
/// "pkcs8" is "PRIVATE KEY". Go's crypto/tls loads all three.
/// </summary>
internal enum KeyFormat
{
    Native,
    Pkcs8,
}

/// <summary>Which TLS roles a member or client certificate is issued for (its extended key usages).</summary>
internal enum CertificateProfile
{
    /// <summary>Server and client auth: one certificate for a member's client URL, peer server and peer client (the guide's "kubernetes" profile).</summary>
    Peer,

    /// <summary>Server auth only: a member's client URL.</summary>
    Server,

    /// <summary>Client auth only: etcdctl, Kubernetes' apiserver and other clients.</summary>
    Client,
}

internal static class KeyOptionNames
{
    public static KeyAlgorithm ParseAlgorithm(string text) => text.ToLowerInvariant() switch
    {
        "ecdsa" or "ecdsa-p256" or "ec" or "p256" => KeyAlgorithm.EcdsaP256,
        "rsa" or "rsa-2048" or "rsa2048" => KeyAlgorithm.Rsa2048,
        _ => throw new FormatException($"unknown key type {text} (ecdsa or rsa)"),
    };

    public static KeyFormat ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "native" or "sec1" or "pkcs1" => KeyFormat.Native,
        "pkcs8" => KeyFormat.Pkcs8,
        _ => throw new FormatException($"unknown key format {text} (native or pkcs8)"),
    };

    public static CertificateProfile ParseProfile(string text) => text.ToLowerInvariant() switch
    {
        "peer" or "member" => CertificateProfile.Peer,
        "server" => CertificateProfile.Server,
        "client" => CertificateProfile.Client,
        _ => throw new FormatException($"unknown profile {text} (peer, server or client)"),
    };
}
