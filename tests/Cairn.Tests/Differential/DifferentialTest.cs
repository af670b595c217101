using Cairn.Testing;

namespace Cairn.Tests.Differential;

/// <summary>
/// Base for differential scenarios: each test gets a fresh real etcd 3.4.23 and a fresh server under test, and every
/// request goes to both through <see cref="Differ"/>. docs/compat.md lists no KV difference between 3.4.23 and 3.5,
/// so KV answers must be equal field by field once IDs are cleared.
/// </summary>
public abstract class DifferentialTest : IAsyncLifetime
{
    private Differ? _differ;

    protected Differ D => _differ ?? throw new InvalidOperationException("the servers are not started yet");

    /// <summary>Flags for both servers; override to set e.g. --max-txn-ops on both.</summary>
    protected virtual ClusterOptions Options => new();

    public async Task InitializeAsync() => _differ = await Differ.StartAsync(ServerBinary.Cairn, Options);

    public async Task DisposeAsync()
    {
        if (_differ is not null)
        {
            await _differ.DisposeAsync();
        }
    }

    /// <summary>
    /// Writes the shared fixture, one revision each (revisions 2–13), so keys have distinct versions, create and mod
    /// revisions, a deleted key and keys with 0x00 and 0xff bytes.
    /// </summary>
    protected async Task Seed()
    {
        await D.Put("a", "1").Ok();            // 2
        await D.Put("b", "2").Ok();            // 3
        await D.Put("c", "3").Ok();            // 4
        await D.Put("a", "11").Ok();           // 5
        await D.Put("d", "4").Ok();            // 6
        await D.Delete(Kv.Del("c")).Ok();      // 7
        await D.Put("e", "5").Ok();            // 8
        await D.Put("b", "22").Ok();           // 9
        await D.Put("b", "222").Ok();          // 10
        await D.Put("a/x", "ax").Ok();         // 11
        await D.Put(Kv.Put(Kv.Bytes(0x00, 0x01), "zero")).Ok(); // 12
        await D.Put(Kv.Put(Kv.Bytes(0xff, 0xff), "ff")).Ok();   // 13
    }

    /// <summary>Revision of the last <see cref="Seed"/> write.</summary>
    protected const long SeededRevision = 13;
}
