using System.Text;
using Cairn.Api.Mvccpb;
using Cairn.Storage.Backend;
using Cairn.Storage.Mvcc;

namespace Cairn.Storage.Tests.Mvcc;

/// <summary>A backend + store in a temp dir that can be closed and reopened (restart).</summary>
public sealed class MvccFixture : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly MvccOptions? _options;

    public MvccFixture(MvccOptions? options = null)
    {
        _options = options;
        Open();
    }

    public SqliteBackend Backend { get; private set; } = null!;

    public MvccStore Store { get; private set; } = null!;

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(KeyValue kv) => kv.Key.ToStringUtf8();

    public void Reopen()
    {
        Close();
        Open();
    }

    public long Put(string key, string value, long lease = 0)
    {
        using ITxnWrite txn = Store.Write();
        return txn.Put(B(key), B(value), lease);
    }

    public (long Deleted, long Rev) Delete(string key, string end = "")
    {
        using ITxnWrite txn = Store.Write();
        return txn.DeleteRange(B(key), B(end));
    }

    public RangeResult Get(string key, string end = "", long rev = 0, long limit = 0, bool count = false)
    {
        using ITxnRead txn = Store.Read();
        return txn.Range(B(key), end == "\0" ? [0] : B(end), new RangeOptions { Rev = rev, Limit = limit, Count = count });
    }

    public List<string> Keys(RangeResult r) => r.Kvs.Select(S).ToList();

    public void Dispose()
    {
        Close();
        _tmp.Dispose();
    }

    private void Open()
    {
        Backend = new SqliteBackend(_tmp.Sub("db"), new BackendOptions { BatchInterval = TimeSpan.FromHours(1) });
        Store = new MvccStore(Backend, _options);
    }

    private void Close()
    {
        Store.Dispose();
        Backend.Dispose();
    }
}
