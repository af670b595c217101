using Cairn.Raft.Raftpb;
using Cairn.Storage.Snap;
using Cairn.Storage.Wal;
using Google.Protobuf;

namespace Cairn.Storage.Tests.Snap;

public sealed class SnapshotterTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly Snapshotter _snap;

    public SnapshotterTests() => _snap = new Snapshotter(_tmp.Sub("snap"));

    public void Dispose() => _tmp.Dispose();

    private static Snapshot S(ulong index, ulong term, string data = "state") => new()
    {
        Data = ByteString.CopyFromUtf8(data),
        Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = new ConfState { Voters = { 1 } } },
    };

    [Fact]
    public void SaveSnap_ThenLoad_ReturnsTheNewest()
    {
        Assert.Null(_snap.Load());
        _snap.SaveSnap(S(10, 1, "ten"));
        _snap.SaveSnap(S(20, 2, "twenty"));
        _snap.SaveSnap(new Snapshot());
        Assert.Equal(S(20, 2, "twenty"), _snap.Load());
        Assert.True(File.Exists(Path.Combine(_snap.Dir, Snapshotter.FileName(2, 20))));
    }

    [Fact]
    public void Load_SkipsAndRenamesACorruptNewestFile()
    {
        _snap.SaveSnap(S(10, 1, "ten"));
        _snap.SaveSnap(S(20, 1, "twenty"));
        string newest = Path.Combine(_snap.Dir, Snapshotter.FileName(1, 20));
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);
        Assert.Equal(S(10, 1, "ten"), _snap.Load());
        Assert.True(File.Exists(newest + ".broken"));
    }

    [Fact]
    public void LoadNewestAvailable_PicksTheNewestSnapshotTheWalKnows()
    {
        _snap.SaveSnap(S(10, 1));
        _snap.SaveSnap(S(20, 1));
        _snap.SaveSnap(S(30, 2));
        Snapshot? loaded = _snap.LoadNewestAvailable([new WalSnapshot(0, 0), new WalSnapshot(10, 1), new WalSnapshot(20, 1)]);
        Assert.Equal(20UL, loaded!.Metadata.Index);
        Assert.Null(_snap.LoadNewestAvailable([new WalSnapshot(30, 1)]));
    }

    [Fact]
    public void Purge_KeepsTheNewestFiles()
    {
        for (ulong i = 1; i <= 6; i++)
        {
            _snap.SaveSnap(S(i * 10, 1));
        }
        _snap.Purge(keep: 2);
        Assert.Equal(2, Directory.GetFiles(_snap.Dir, "*.snap").Length);
        Assert.Equal(60UL, _snap.Load()!.Metadata.Index);
    }

    [Fact]
    public async Task SaveDbAsync_StoresTheStreamUnderTheIndexName()
    {
        using var source = new MemoryStream([1, 2, 3, 4]);
        string path = await _snap.SaveDbAsync(source, 42, CancellationToken.None);
        Assert.Equal(_snap.DbFilePath(42), path);
        Assert.Equal([1, 2, 3, 4], await File.ReadAllBytesAsync(path));
    }
}
