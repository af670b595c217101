namespace Cairn.Testing;

/// <summary>
/// How to start a server process: an executable plus leading arguments (<c>dotnet cairn.dll</c> has one).
/// Both servers take etcd's flags, so a fixture can run either; <see cref="Cairn"/> honours <c>CAIRN_BIN</c>, which may
/// name real etcd (<c>CAIRN_BIN=/usr/bin/etcd</c>) to prove a test against the reference before Cairn passes it.
/// </summary>
public sealed record ServerBinary(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>True when the file is real etcd (its name is <c>etcd</c>), e.g. the oracle or CAIRN_BIN=/usr/bin/etcd.</summary>
    public bool IsEtcd => Path.GetFileName(FileName) == "etcd";

    public override string ToString() =>
        LeadingArguments.Count == 0 ? FileName : $"{FileName} {string.Join(' ', LeadingArguments)}";

    /// <summary>Real etcd 3.4: <c>ETCD_BIN</c>, else <c>etcd</c> on PATH (Debian etcd-server).</summary>
    public static ServerBinary Etcd => new(Environment.GetEnvironmentVariable("ETCD_BIN") is { Length: > 0 } bin ? bin : FindOnPath("etcd"), []);

    /// <summary>
    /// The server under test: <c>CAIRN_BIN</c> (an executable, or a <c>.dll</c> run with dotnet), else the cairn
    /// build copied next to the test assembly (a test project that references src/Cairn gets its apphost
    /// <c>cairn</c>, <c>cairn.dll</c> and runtimeconfig copied): the apphost when present, else the dll.
    /// </summary>
    public static ServerBinary Cairn
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CAIRN_BIN") is { Length: > 0 } bin)
            {
                return FromPath(bin);
            }

            var apphost = Path.Combine(AppContext.BaseDirectory, "cairn");
            if (File.Exists(apphost))
            {
                return FromPath(apphost);
            }

            var beside = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
            if (File.Exists(beside))
            {
                return FromPath(beside);
            }

            throw new FileNotFoundException(
                $"no cairn server: set CAIRN_BIN (e.g. a published 'cairn', or /usr/bin/etcd) or build a project that references src/Cairn ({beside} is missing)");
        }
    }

    /// <summary>A path to an executable or to a framework-dependent <c>.dll</c> (run with the current dotnet host).</summary>
    public static ServerBinary FromPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"server binary not found: {full}", full);
        }

        return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ServerBinary(DotnetHost(), [full]) : new ServerBinary(full, []);
    }

    internal static string FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"'{name}' is not on PATH");
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return FindOnPath("dotnet");
    }
}
