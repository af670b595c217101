using Cairn.Testing;

namespace Cairn.Bench.Compare;

/// <summary>One side of a comparison: a started cluster of etcd or cairn members, with its /proc readings.</summary>
internal sealed class ServerUnderTest(string name, ProcessCluster cluster) : IAsyncDisposable
{
    /// <summary>"etcd" or "cairn".</summary>
    public string Name { get; } = name;

    public ProcessCluster Cluster { get; } = cluster;

    public int Members => Cluster.Members.Count;

    public IReadOnlyList<string> Endpoints => Cluster.Members.Select(m => m.Endpoint).ToList();

    /// <summary>CPU seconds used so far by every member together.</summary>
    public double CpuSeconds() => Pids().Sum(ProcessStats.CpuSeconds);

    /// <summary>Peak resident set of every member added up (each member's own peak).</summary>
    public long PeakRssBytes() => Pids().Sum(ProcessStats.PeakRssBytes);

    public long RssBytes() => Pids().Sum(ProcessStats.RssBytes);

    /// <summary>Throws when a member has exited: a comparison with a crashed side means nothing.</summary>
    public void EnsureRunning()
    {
        foreach (var member in Cluster.Members)
        {
            if (!member.IsRunning)
            {
                throw new InvalidOperationException($"{Name} member {member.Name} exited (code {member.ExitCode}):{Environment.NewLine}{member.LogTail()}");
            }
        }
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();

    private IEnumerable<int> Pids() => Cluster.Members.Where(m => m.IsRunning).Select(m => m.Pid!.Value);
}
