namespace Cairn.Storage.Backend;

/// <summary>The bucket names etcd uses; every backend creates them on open.</summary>
public static class Buckets
{
    public const string Key = "key";
    public const string Meta = "meta";
    public const string Lease = "lease";
    public const string Members = "members";
    public const string MembersRemoved = "members_removed";
    public const string Cluster = "cluster";
    public const string Alarm = "alarm";
    public const string Auth = "auth";
    public const string AuthUsers = "authUsers";
    public const string AuthRoles = "authRoles";

    public static IReadOnlyList<string> All { get; } =
        [Key, Meta, Lease, Members, MembersRemoved, Cluster, Alarm, Auth, AuthUsers, AuthRoles];

    /// <summary>Meta keys holding the applied raft index and term (8-byte big-endian each), as in etcd.</summary>
    public static ReadOnlySpan<byte> ConsistentIndexKey => "consistent_index"u8;

    public static ReadOnlySpan<byte> TermKey => "term"u8;
}
