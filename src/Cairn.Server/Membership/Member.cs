namespace Cairn.Server.Membership;

/// <summary>One member of the cluster as etcd's membership.Member: raft attributes (peer URLs, learner) and
/// attributes (name, client URLs) published once the member serves.</summary>
public sealed record Member(ulong Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls, bool IsLearner = false);
