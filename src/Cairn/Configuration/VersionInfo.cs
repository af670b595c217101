using System.Reflection;
using System.Runtime.InteropServices;

namespace Cairn.Configuration;

/// <summary>
/// What `cairn --version` prints (no trailing newline). The first line is etcd's, so scripts that read `etcd --version` (first line,
/// third field) see the etcd version cairn reports on /version; cairn's own version follows:
/// <code>
/// etcd Version: 3.5.17
/// cairn Version: 0.1.0
/// Git SHA: Not provided
/// .NET Version: 10.0.0
/// OS/Arch: linux/amd64
/// </code>
/// </summary>
internal static class VersionInfo
{
    /// <summary>The etcd server version cairn reports (Kubernetes enables features from 3.5.13).</summary>
    public const string EtcdVersion = "3.5.17";

    /// <summary>The etcd cluster version cairn reports.</summary>
    public const string EtcdClusterVersion = "3.5.0";

    /// <summary>Cairn's own version (the assembly's informational version, without build metadata).</summary>
    public static string CairnVersion => InformationalVersion.Split('+')[0];

    /// <summary>The commit in the informational version's build metadata, if the build recorded one.</summary>
    public static string GitSha => InformationalVersion.Split('+') is [_, var sha, ..] && sha.Length > 0 ? sha : "Not provided";

    public static string Text =>
        $"etcd Version: {EtcdVersion}\n" +
        $"cairn Version: {CairnVersion}\n" +
        $"Git SHA: {GitSha}\n" +
        $".NET Version: {Environment.Version}\n" +
        $"OS/Arch: {Os}/{Arch}";

    private static string InformationalVersion =>
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionInfo).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    private static string Os =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "unknown";

    /// <summary>Go's GOARCH names.</summary>
    private static string Arch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };
}
