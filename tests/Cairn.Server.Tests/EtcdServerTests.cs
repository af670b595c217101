using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Configuration;
using Cairn.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests;

/// <summary>The member end to end in-process: durability across restarts, WAL replay, data-dir and size checks, group commit.</summary>
public sealed class EtcdServerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ServerConfig Config => ServerHarness.Config(_dir.Sub("data"));

    private static Task<PutResponse> PutAsync(EtcdServer s, string key, string value) =>
        s.PutAsync(new PutRequest { Key = B(key), Value = B(value) }, CancellationToken.None);

    private static async Task<Api.Mvccpb.KeyValue?> GetAsync(EtcdServer s, string key) =>
        (await s.RangeAsync(new RangeRequest { Key = B(key) }, CancellationToken.None)).Kvs.SingleOrDefault();

    /// <summary>The SQLite backend's files (database, its WAL and shared memory).</summary>
    private string[] BackendFiles() =>
        Directory.GetFiles(Path.GetDirectoryName(new DataDir(Config.DataDir).BackendPath)!, Path.GetFileName(new DataDir(Config.DataDir).BackendPath) + "*");

    [Fact]
    public async Task Restart_AcknowledgedWritesArePresent()
    {
        long revision;
        ulong term;
        await using (var first = await ServerHarness.StartAsync(Config))
        {
            await PutAsync(first, "a", "1");
            await PutAsync(first, "b", "2");
            revision = (await PutAsync(first, "a", "3")).Header.Revision;
            term = first.Term;
        }

        await using var second = await ServerHarness.StartAsync(Config);
        var a = await GetAsync(second, "a");
        Assert.Equal("3", S(a!.Value));
        Assert.Equal((revision, 2L), (a.ModRevision, a.Version));
        Assert.Equal("2", S((await GetAsync(second, "b"))!.Value));
        Assert.Equal(revision, second.Revision);
        Assert.True(second.Term > term, $"term {second.Term} after restart, {term} before");
        Assert.Equal(revision + 1, (await PutAsync(second, "c", "4")).Header.Revision);
    }

    /// <summary>etcd's store starts at revision 1, so a new member answers revision 1 and its first put gets 2.</summary>
    [Fact]
    public async Task Start_NewMember_RevisionOneAndTheFirstPutGetsTwo()
    {
        await using var server = await ServerHarness.StartAsync(Config);
        var empty = await server.RangeAsync(new RangeRequest { Key = B("a") }, CancellationToken.None);
        Assert.Equal(1, empty.Header.Revision);
        Assert.Equal(1, server.Revision);
        Assert.Equal(2, (await PutAsync(server, "a", "1")).Header.Revision);
    }

    [Fact]
    public async Task Start_EtcdDefaults_GiveEtcdsIds_AndARestartKeepsThemWhateverTheFlags()
    {
        await using (var first = await ServerHarness.StartAsync(Config))
        {
            Assert.Equal(0x8e9e05c52164694dUL, first.MemberId);
            Assert.Equal(0xcdf818194e3a8c32UL, first.ClusterId);
        }
        // Once a WAL exists the --initial-* flags are ignored, as in etcd.
        await using var second = await ServerHarness.StartAsync(Config with { InitialClusterToken = "something-else" });
        Assert.Equal(0x8e9e05c52164694dUL, second.MemberId);
        Assert.Equal(0xcdf818194e3a8c32UL, second.ClusterId);
    }

    /// <summary>
    /// The backend commits in batches, so after a crash it can lag the WAL. Simulated exactly: the backend files are
    /// rolled back to a copy taken before later writes; on start the WAL entries past its consistent index are
    /// applied again, giving the same revisions as the first time, and nothing is applied twice.
    /// </summary>
    [Fact]
    public async Task Start_BackendBehindTheWal_ReplaysTheMissingEntries()
    {
        await using (var first = await ServerHarness.StartAsync(Config))
        {
            await PutAsync(first, "a", "1");
        }
        var saved = _dir.Sub("saved-backend");
        Directory.CreateDirectory(saved);
        foreach (var file in BackendFiles())
        {
            File.Copy(file, Path.Combine(saved, Path.GetFileName(file)));
        }

        long lastRevision;
        await using (var second = await ServerHarness.StartAsync(Config))
        {
            await PutAsync(second, "b", "2");
            await second.DeleteRangeAsync(new DeleteRangeRequest { Key = B("a") }, CancellationToken.None);
            await second.TxnAsync(Txn(success: [Put("c", "3"), Put("d", "4")]), CancellationToken.None);
            lastRevision = (await PutAsync(second, "b", "5")).Header.Revision;
        }

        foreach (var file in BackendFiles())
        {
            File.Delete(file);
        }
        foreach (var file in Directory.GetFiles(saved))
        {
            File.Copy(file, Path.Combine(Path.GetDirectoryName(new DataDir(Config.DataDir).BackendPath)!, Path.GetFileName(file)));
        }

        for (var restart = 0; restart < 2; restart++)
        {
            await using var server = await ServerHarness.StartAsync(Config);
            Assert.Equal(lastRevision, server.Revision);
            Assert.Null(await GetAsync(server, "a"));
            var b = await GetAsync(server, "b");
            Assert.Equal(("5", lastRevision, 2L), (S(b!.Value), b.ModRevision, b.Version));
            Assert.Equal((await GetAsync(server, "c"))!.ModRevision, (await GetAsync(server, "d"))!.ModRevision);
            var all = await server.RangeAsync(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") }, CancellationToken.None);
            Assert.Equal(3, all.Count);
        }
    }

    /// <summary>With the backend gone entirely, the whole WAL is applied again (consistent index 0).</summary>
    [Fact]
    public async Task Start_BackendLost_RebuiltFromTheWal()
    {
        long revision;
        await using (var first = await ServerHarness.StartAsync(Config))
        {
            await PutAsync(first, "a", "1");
            await PutAsync(first, "a", "2");
            revision = (await PutAsync(first, "z", "3")).Header.Revision;
        }
        foreach (var file in BackendFiles())
        {
            File.Delete(file);
        }

        await using var second = await ServerHarness.StartAsync(Config);
        Assert.Equal(revision, second.Revision);
        var a = await GetAsync(second, "a");
        Assert.Equal(("2", 2L), (S(a!.Value), a.Version));
        Assert.Equal(0x8e9e05c52164694dUL, Assert.Single(second.Members).Id);
    }

    [Fact]
    public async Task Start_EtcdDataDir_RefusedWithAClearMessage_NothingWritten()
    {
        var root = _dir.Sub("etcd-data");
        Directory.CreateDirectory(Path.Combine(root, "member", "wal"));
        Directory.CreateDirectory(Path.Combine(root, "member", "snap"));
        File.WriteAllText(Path.Combine(root, "member", "snap", "db"), "bbolt");
        var before = Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Order().ToList();

        var e = await Assert.ThrowsAsync<StartupException>(() =>
            EtcdServer.StartAsync(Config with { DataDir = root }, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Contains("written by etcd", e.Message);
        Assert.Contains(Path.Combine(root, "member"), e.Message);
        Assert.Contains("will not read or overwrite it", e.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.Equal("bbolt", File.ReadAllText(Path.Combine(root, "member", "snap", "db")));
    }

    [Fact]
    public async Task Propose_OverMaxRequestBytes_RequestIsTooLarge_NothingApplied()
    {
        await using var server = await ServerHarness.StartAsync(Config with { MaxRequestBytes = 1024 });
        var before = server.Revision;
        var big = new string('x', 1100);

        var put = await Assert.ThrowsAsync<EtcdException>(() => PutAsync(server, "k", big));
        Assert.Same(EtcdErrors.RequestTooLarge, put.Error);
        Assert.Equal("etcdserver: request is too large", put.Message);
        var txn = await Assert.ThrowsAsync<EtcdException>(() => server.TxnAsync(Txn(success: [Put("k", big)]), CancellationToken.None));
        Assert.Same(EtcdErrors.RequestTooLarge, txn.Error);
        Assert.Equal(before, server.Revision);
        Assert.Null(await GetAsync(server, "k"));

        var fits = await PutAsync(server, "k", new string('x', 900));
        Assert.Equal(before + 1, fits.Header.Revision);
    }

    /// <summary>Proposals that arrive while the WAL is syncing share the next fsync.</summary>
    [Fact]
    public async Task Put_ManyConcurrent_ShareFsyncs()
    {
        const int Puts = 400;
        await using var server = await ServerHarness.StartAsync(Config);
        var startRevision = server.Revision;
        var syncsBefore = server.WalSyncCount;

        var responses = await Task.WhenAll(Enumerable.Range(0, Puts).Select(i => Task.Run(() => PutAsync(server, $"k{i}", "v"))));

        var syncs = server.WalSyncCount - syncsBefore;
        Assert.True(syncs >= 1);
        Assert.True(syncs * 5 <= Puts, $"{syncs} WAL fsyncs for {Puts} concurrent puts");
        Assert.Equal(Enumerable.Range(1, Puts).Select(i => startRevision + i), responses.Select(r => r.Header.Revision).Order());
        Assert.Equal(startRevision + Puts, server.Revision);
    }

    [Fact]
    public async Task Reads_DoNotWriteTheWal_WritesDo()
    {
        await using var server = await ServerHarness.StartAsync(Config);
        await PutAsync(server, "a", "1");
        var syncs = server.WalSyncCount;

        await server.RangeAsync(new RangeRequest { Key = B("a") }, CancellationToken.None);
        await server.RangeAsync(new RangeRequest { Key = B("a"), Serializable = true }, CancellationToken.None);
        var readOnly = await server.TxnAsync(Txn(success: [Get("a")], compare: [ValueIs("a", "1")]), CancellationToken.None);
        Assert.True(readOnly.Succeeded);
        Assert.Equal(syncs, server.WalSyncCount);

        await server.TxnAsync(Txn(success: [Put("b", "2")]), CancellationToken.None);
        Assert.True(server.WalSyncCount > syncs);
    }

    [Fact]
    public async Task Txn_InvalidRequests_RefusedBeforeProposal()
    {
        await using var server = await ServerHarness.StartAsync(Config with { MaxTxnOps = 2 });
        var syncs = server.WalSyncCount;
        var tooMany = await Assert.ThrowsAsync<EtcdException>(() =>
            server.TxnAsync(Txn(success: [Put("a"), Put("b"), Put("c")]), CancellationToken.None));
        Assert.Same(EtcdErrors.TooManyOps, tooMany.Error);
        var duplicate = await Assert.ThrowsAsync<EtcdException>(() =>
            server.TxnAsync(Txn(success: [Put("a"), Put("a")]), CancellationToken.None));
        Assert.Same(EtcdErrors.DuplicateKey, duplicate.Error);
        var emptyKey = await Assert.ThrowsAsync<EtcdException>(() =>
            server.RangeAsync(new RangeRequest(), CancellationToken.None));
        Assert.Same(EtcdErrors.EmptyKey, emptyKey.Error);
        Assert.Equal(syncs, server.WalSyncCount);
    }

    /// <summary>An applied-but-failed request (ignore_value on a missing key) still consumes a raft entry, and leaves
    /// the revision where it was.</summary>
    [Fact]
    public async Task Put_FailingInApply_ReturnsTheErrorWithoutChangingTheRevision()
    {
        await using var server = await ServerHarness.StartAsync(Config);
        var before = server.Revision;
        var e = await Assert.ThrowsAsync<EtcdException>(() =>
            server.PutAsync(new PutRequest { Key = B("missing"), IgnoreValue = true }, CancellationToken.None));
        Assert.Same(EtcdErrors.KeyNotFound, e.Error);
        var leased = await Assert.ThrowsAsync<EtcdException>(() =>
            server.PutAsync(new PutRequest { Key = B("k"), Value = B("v"), Lease = 12345 }, CancellationToken.None));
        Assert.Same(EtcdErrors.LeaseNotFound, leased.Error);
        Assert.Equal(before, server.Revision);
    }
}
