using Cairn.Testing;

namespace Cairn.Bench.Compare;

/// <summary>Where and with what a comparison ran: cores, load average before and after, both servers' binaries and <c>--version</c> lines.</summary>
internal sealed record MachineInfo(int Cores, string LoadBefore, string LoadAfter, string Kernel, string Etcd, string Cairn, string EtcdVersion, string CairnVersion)
{
    public static async Task<MachineInfo> CaptureAsync(ServerBinary etcd, ServerBinary cairn, CancellationToken cancellationToken) =>
        new(Environment.ProcessorCount, LoadAverage(), "", Environment.OSVersion.VersionString, etcd.ToString(), cairn.ToString(),
            await VersionAsync(etcd, cancellationToken).ConfigureAwait(false), await VersionAsync(cairn, cancellationToken).ConfigureAwait(false));

    /// <summary>The first three fields of /proc/loadavg (1, 5 and 15 minutes).</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static async Task<string> VersionAsync(ServerBinary binary, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ProcessRunner.RunAsync(
                binary.FileName, [.. binary.LeadingArguments, "--version"], timeout: TimeSpan.FromSeconds(20), cancellationToken: cancellationToken).ConfigureAwait(false);
            // Both print etcd's format: "etcd Version: 3.4.23", "Git SHA: ...", ...; cairn adds "cairn Version: ...".
            return string.Join("; ", result.Lines.Where(l => l.Contains("Version:", StringComparison.Ordinal) || l.StartsWith("Git SHA:", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
