using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Grpc.Core;

namespace Cairn.Tests.Cluster;

/// <summary>Who leads, in which term, under which IDs: asked of each member with Maintenance.Status over gRPC.</summary>
internal static class Probe
{
    /// <summary>
    /// One member's view: its own ID, the leader it follows (0 for none) and the raft term Status reports (in etcd 3.4, the
    /// term of the last applied entry, so a new leader's term shows once its first entry is applied).
    /// </summary>
    public sealed record View(ProcessMember Member, ulong MemberId, ulong ClusterId, ulong Leader, ulong Term, bool IsLearner);

    /// <summary>The leader all of <paramref name="members"/> agree on, with the term.</summary>
    public sealed record Agreement(ProcessMember Leader, ulong LeaderId, ulong Term, IReadOnlyList<View> Views)
    {
        public IEnumerable<ProcessMember> Followers => Views.Select(v => v.Member).Where(m => m != Leader);

        public ulong IdOf(ProcessMember member) => Views.Single(v => v.Member == member).MemberId;
    }

    /// <summary>Status of one member, or null when it does not answer within <paramref name="deadline"/>.</summary>
    public static async Task<View?> ViewAsync(ProcessMember member, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        using var client = member.CreateClient();
        try
        {
            var status = await client.Maintenance.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + deadline, cancellationToken: cancellationToken);
            return new View(member, status.Header.MemberId, status.Header.ClusterId, status.Leader, status.RaftTerm, status.IsLearner);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until every one of <paramref name="members"/> answers Status naming the same leader, which is one of them,
    /// in the same term.
    /// </summary>
    public static async Task<Agreement> LeaderAsync(IReadOnlyList<ProcessMember> members, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Agreement? agreed = null;
        IReadOnlyList<View?> last = [];
        try
        {
            await Wait.UntilAsync(
                async ct =>
                {
                    last = await Task.WhenAll(members.Select(m => ViewAsync(m, TimeSpan.FromSeconds(2), ct)));
                    if (last.Any(v => v is null))
                    {
                        return false;
                    }

                    var views = last.Select(v => v!).ToList();
                    var leaderId = views[0].Leader;
                    var term = views[0].Term;
                    var leader = views.FirstOrDefault(v => v.MemberId == leaderId);
                    if (leaderId == 0 || leader is null || views.Any(v => v.Leader != leaderId || v.Term != term))
                    {
                        return false;
                    }

                    agreed = new Agreement(leader.Member, leaderId, term, views);
                    return true;
                },
                timeout,
                $"{string.Join(", ", members.Select(m => m.Name))} to agree on a leader",
                cancellationToken);
        }
        catch (TimeoutException e)
        {
            var seen = string.Join("; ", members.Zip(last.Count == members.Count ? last : members.Select(_ => (View?)null))
                .Select(p => p.Second is { } v ? $"{p.First.Name}: id {v.MemberId:x} leader {v.Leader:x} term {v.Term}" : $"{p.First.Name}: no answer"));
            throw new TimeoutException($"{e.Message}; last seen: {seen}", e);
        }

        return agreed!;
    }

    /// <summary><see cref="LeaderAsync(IReadOnlyList{ProcessMember}, TimeSpan, CancellationToken)"/> over every running member.</summary>
    public static Task<Agreement> LeaderAsync(ProcessCluster cluster, CancellationToken cancellationToken = default) =>
        LeaderAsync(cluster.Members.Where(m => m.IsRunning).ToList(), TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>Hex as etcdctl prints member IDs (lowercase, no padding).</summary>
    public static string Hex(ulong id) => id.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
