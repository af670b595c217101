namespace Cairn.Configuration;

/// <summary>The sections of `cairn --help`, in etcd's order.</summary>
internal enum OptionGroup
{
    /// <summary>Shown in the usage lines, not as a section (--config-file, --version).</summary>
    Usage,
    Member,
    Clustering,
    Security,
    Auth,
    Monitoring,
    Logging,
    Proxy,
    Experimental,
    Unsafe,
    Deprecated,

    /// <summary>Not shown: legacy flags etcd ignores.</summary>
    Hidden,
}
