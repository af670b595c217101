using System.Reflection;

namespace Cairn.Server;

/// <summary>
/// Versions Cairn reports. Clients see etcd 3.5.17 (Kubernetes switches features on from 3.5.13) and cluster
/// version 3.5.0; Cairn's own version comes from the assembly.
/// </summary>
public static class ServerVersion
{
    public const string Etcd = "3.5.17";

    public const string EtcdCluster = "3.5.0";

    public const string EtcdApi = "3.5";

    public static string Cairn { get; } =
        typeof(ServerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";
}
