using Cairn.Testing;

namespace Cairn.Bench.Compare;

/// <summary>Where and with what a comparison ran: cores, load average before and after, both servers' versions.</summary>
internal sealed record MachineInfo(int Cores, string LoadBefore, string LoadAfter, string Kernel, string Etcd, string Cairn, string CairnVersion)
{
    public static async Task<MachineInfo> CaptureAsync(ServerBinary etcd, ServerBinary cairn, CancellationToken cancellationToken) =>
        new(Environment.ProcessorCount, LoadAverage(), "", Environment.OSVersion.VersionString, etcd.ToString(), cairn.ToString(),
            await VersionAsync(cairn, cancellationToken).ConfigureAwait(false) + " / etcd " + await VersionAsync(etcd, cancellationToken).ConfigureAwait(false));

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
            var first = result.Lines.FirstOrDefault(l => l.Contains("ersion", StringComparison.Ordinal)) ?? result.Lines.FirstOrDefault() ?? "";
            return first.Replace("Version:", "", StringComparison.Ordinal).Trim();
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
