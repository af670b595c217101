using Cairn.Testing;

namespace Cairn.Tests;

/// <summary>
/// Base for tests that each get a fresh single member of the server under test (<see cref="ServerBinary.Cairn"/>:
/// CAIRN_BIN, or the cairn.dll built beside the tests), so revisions start at 1 in every test.
/// </summary>
public abstract class SingleMemberTest : IAsyncLifetime
{
    private ProcessCluster? _cluster;

    protected ProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("the member is not started yet");

    protected ProcessMember Member => Cluster[0];

    /// <summary>Flags and timeouts for the member; override to add e.g. --max-txn-ops.</summary>
    protected virtual ClusterOptions Options => new();

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(ServerBinary.Cairn, 1, Options);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
