namespace Cairn.Configuration;

/// <summary>
/// The Go type of an etcd flag, which fixes its value syntax and the C# type of its parsed value
/// (see <see cref="OptionValues"/>).
/// </summary>
internal enum OptionKind
{
    /// <summary>Any text. Value: string.</summary>
    String,

    /// <summary>strconv.ParseBool; the bare flag means true and never takes the next argument. Value: bool.</summary>
    Bool,

    /// <summary>Go uint (64-bit), base-0 syntax. Value: ulong.</summary>
    Uint,

    /// <summary>etcd's uint32 flag (max-concurrent-streams). Value: ulong.</summary>
    Uint32,

    /// <summary>Go uint64. Value: ulong.</summary>
    Uint64,

    /// <summary>Go int (64-bit). Value: long.</summary>
    Int,

    /// <summary>Go int64. Value: long.</summary>
    Int64,

    /// <summary>time.ParseDuration; in the config file an integer is nanoseconds (Go's JSON form). Value: TimeSpan.</summary>
    Duration,

    /// <summary>etcd's UniqueURLs: comma-separated URLs, sorted, no duplicates. Value: IReadOnlyList&lt;string&gt;
    /// of canonical URLs (plus the row's allowed exceptions, such as "*").</summary>
    Urls,

    /// <summary>etcd's UniqueStrings: comma-separated, sorted, no duplicates. Value: IReadOnlyList&lt;string&gt;.</summary>
    UniqueStrings,

    /// <summary>etcd's StringsValue: comma-separated, order kept. Value: IReadOnlyList&lt;string&gt;.</summary>
    Strings,

    /// <summary>etcd's SelectiveStringValue: one of the row's choices ("invalid value" otherwise). Value: string.</summary>
    Choice,

    /// <summary>--initial-cluster "name=url,...". Value: IReadOnlyList&lt;KeyValuePair&lt;string,
    /// IReadOnlyList&lt;string&gt;&gt;&gt;.</summary>
    InitialCluster,

    /// <summary>A flag etcd still accepts but ignores with a warning; takes no argument. Value: string.</summary>
    Ignored,
}
