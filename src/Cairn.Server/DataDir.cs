namespace Cairn.Server;

/// <summary>
/// Cairn's data dir layout: everything lives under &lt;data-dir&gt;/cairn, so that a data dir written by etcd
/// (&lt;data-dir&gt;/member) is recognised and never overwritten.
/// </summary>
public sealed class DataDir(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string CairnDir => Path.Combine(Root, "cairn");

    public string WalDir => Path.Combine(CairnDir, "wal");

    public string SnapDir => Path.Combine(CairnDir, "snap");

    public string BackendPath => Path.Combine(CairnDir, "db");

    /// <summary>etcd keeps its WAL and bbolt file under member/; Cairn never writes there.</summary>
    public bool WrittenByEtcd => Directory.Exists(Path.Combine(Root, "member"));

    /// <summary>The refusal for an etcd data dir: what was found, why Cairn stops, and what to do.</summary>
    public string EtcdDataDirError =>
        $"data dir {Root} was written by etcd ({Path.Combine(Root, "member")} exists); cairn will not read or " +
        "overwrite it. Start cairn with an empty --data-dir; importing an existing etcd's data is not supported yet.";

    public void Create()
    {
        Directory.CreateDirectory(WalDir);
        Directory.CreateDirectory(SnapDir);
    }
}
