using System.Buffers.Binary;
using System.Globalization;
using Cairn.Raft.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;

namespace Cairn.Storage.Snap;

/// <summary>
/// Raft snapshot files in one directory.
/// <para>"%016x-%016x.snap" (term, index) holds: u32 LE CRC-32C of the payload, u32 LE format version (1), then the
/// raftpb.Snapshot. Files are written under ".tmp", fsynced and renamed, so a visible file is complete; one that fails
/// its CRC on load is renamed to ".broken" and skipped, as etcd does.</para>
/// <para>"%016x.snap.db" (index) holds a backend database received from (or streamed to) the leader.</para>
/// </summary>
public sealed class Snapshotter
{
    private const string SnapExtension = ".snap";
    private const string DbExtension = ".snap.db";
    private const uint FormatVersion = 1;

    public Snapshotter(string dir)
    {
        Dir = Path.GetFullPath(dir);
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public static string FileName(ulong term, ulong index) => $"{term:x16}-{index:x16}{SnapExtension}";

    /// <summary>Durably writes <paramref name="snapshot"/>; an empty snapshot (index 0) is ignored.</summary>
    public void SaveSnap(Snapshot snapshot)
    {
        SnapshotMetadata? meta = snapshot.Metadata;
        if (meta is null || meta.Index == 0)
        {
            return;
        }
        byte[] payload = snapshot.ToByteArray();
        byte[] file = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(file, Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), FormatVersion);
        payload.CopyTo(file, 8);
        WriteDurably(Path.Combine(Dir, FileName(meta.Term, meta.Index)), file);
    }

    /// <summary>The newest valid snapshot, or null when there is none.</summary>
    public Snapshot? Load() => LoadMatching(static (_, _) => true);

    /// <summary>The newest valid snapshot whose (index, term) is one of <paramref name="walSnapshots"/>, or null.</summary>
    public Snapshot? LoadNewestAvailable(IReadOnlyList<WalSnapshot> walSnapshots)
    {
        var wanted = new HashSet<(ulong, ulong)>(walSnapshots.Select(s => (s.Index, s.Term)));
        return LoadMatching((term, index) => wanted.Contains((index, term)));
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshot files (and db files older than the oldest kept).</summary>
    public void Purge(int keep)
    {
        List<(ulong Term, ulong Index, string Path)> snaps = SnapFiles();
        for (int i = keep; i < snaps.Count; i++)
        {
            File.Delete(snaps[i].Path);
        }
        if (snaps.Count > 0 && keep > 0)
        {
            ulong oldestKept = snaps[Math.Min(keep, snaps.Count) - 1].Index;
            foreach (string path in Directory.EnumerateFiles(Dir, "*" + DbExtension))
            {
                if (TryParseDbName(Path.GetFileName(path), out ulong index) && index < oldestKept)
                {
                    File.Delete(path);
                }
            }
        }
        FileSync.SyncDirectory(Dir);
    }

    /// <summary>Path of the backend database file for the snapshot at <paramref name="index"/>.</summary>
    public string DbFilePath(ulong index) => Path.Combine(Dir, $"{index:x16}{DbExtension}");

    /// <summary>Durably stores a backend database streamed from <paramref name="source"/>; returns its path.</summary>
    public async Task<string> SaveDbAsync(Stream source, ulong index, CancellationToken cancellationToken)
    {
        string path = DbFilePath(index);
        string tmp = path + ".tmp";
        var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            FileSync.FullSync(stream.SafeFileHandle);
        }
        File.Move(tmp, path, overwrite: true);
        FileSync.SyncDirectory(Dir);
        return path;
    }

    private Snapshot? LoadMatching(Func<ulong, ulong, bool> accept)
    {
        foreach ((ulong term, ulong index, string path) in SnapFiles())
        {
            if (!accept(term, index))
            {
                continue;
            }
            Snapshot? snap = TryRead(path);
            if (snap is not null)
            {
                return snap;
            }
            File.Move(path, path + ".broken", overwrite: true);
        }
        return null;
    }

    private static Snapshot? TryRead(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8 || BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)) != FormatVersion)
        {
            return null;
        }
        ReadOnlySpan<byte> payload = file.AsSpan(8);
        if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(file))
        {
            return null;
        }
        try
        {
            return Snapshot.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Snapshot files, newest (highest term, then index) first.</summary>
    private List<(ulong Term, ulong Index, string Path)> SnapFiles()
    {
        var files = new List<(ulong Term, ulong Index, string Path)>();
        foreach (string path in Directory.EnumerateFiles(Dir, "*" + SnapExtension))
        {
            string name = Path.GetFileName(path);
            if (name.Length == 33 + SnapExtension.Length && name[16] == '-'
                && ulong.TryParse(name.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong term)
                && ulong.TryParse(name.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong index))
            {
                files.Add((term, index, path));
            }
        }
        files.Sort((a, b) => a.Term != b.Term ? b.Term.CompareTo(a.Term) : b.Index.CompareTo(a.Index));
        return files;
    }

    private static bool TryParseDbName(string name, out ulong index)
    {
        index = 0;
        return name.Length == 16 + DbExtension.Length && name.EndsWith(DbExtension, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out index);
    }

    private void WriteDurably(string path, byte[] content)
    {
        string tmp = path + ".tmp";
        using (var handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, content, 0);
            FileSync.FullSync(handle);
        }
        File.Move(tmp, path, overwrite: true);
        FileSync.SyncDirectory(Dir);
    }
}
