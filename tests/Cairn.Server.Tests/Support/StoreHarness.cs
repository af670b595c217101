using System.Text;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Support;

/// <summary>A SQLite backend and MVCC store in a temp dir that can be reopened (a restart), with write helpers.</summary>
public sealed class StoreHarness : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "cairn-server-tests", Guid.NewGuid().ToString("N"));

    public StoreHarness()
    {
        Directory.CreateDirectory(dir);
        Open();
    }

    public SqliteBackend Backend { get; private set; } = null!;

    public MvccStore Store { get; private set; } = null!;

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public long Put(string key, string value, long lease = 0)
    {
        using var txn = Store.Write();
        var rev = txn.Put(B(key), B(value), lease);
        txn.End();
        return rev;
    }

    /// <summary>Puts every pair in one write txn (one revision).</summary>
    public long PutMany(params (string Key, string Value)[] pairs)
    {
        using var txn = Store.Write();
        long rev = 0;
        foreach (var (key, value) in pairs)
        {
            rev = txn.Put(B(key), B(value), 0);
        }
        txn.End();
        return rev;
    }

    public long Delete(string key, string end = "")
    {
        using var txn = Store.Write();
        var (_, rev) = txn.DeleteRange(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(end));
        txn.End();
        return rev;
    }

    /// <summary>The live value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        using var read = Store.Read();
        var result = read.Range(Encoding.UTF8.GetBytes(key), default, new RangeOptions());
        return result.Kvs.Count == 0 ? null : result.Kvs[0].Value.ToStringUtf8();
    }

    /// <summary>Closes and reopens the backend and store (the key index is rebuilt from the backend).</summary>
    public void Reopen()
    {
        Close();
        Open();
    }

    public void Dispose()
    {
        Close();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private void Open()
    {
        Backend = new SqliteBackend(Path.Combine(dir, "db"));
        Store = new MvccStore(Backend);
    }

    private void Close()
    {
        Backend.ForceCommit();
        Store.Dispose();
        Backend.Dispose();
    }
}
