namespace Cairn.Bench.Load;

/// <summary>
/// etcd's client TLS flags: --cacert verifies the server (and switches endpoints without a scheme to https), --cert and
/// --key present a client certificate. All null: plain-text HTTP/2 (h2c), as etcd's benchmark uses by default.
/// </summary>
internal sealed record TlsFiles(string? CaCert, string? Cert, string? Key)
{
    public static TlsFiles None { get; } = new(null, null, null);

    public bool Enabled => CaCert is not null || Cert is not null;

    /// <summary>A message when the combination cannot work, else null.</summary>
    public string? Invalid() =>
        (Cert is null) != (Key is null) ? "--cert and --key go together"
        : new[] { CaCert, Cert, Key }.FirstOrDefault(f => f is not null && !File.Exists(f)) is { } missing ? $"no such file: {missing}"
        : null;
}
