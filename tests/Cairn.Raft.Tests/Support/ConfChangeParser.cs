using Cairn.Raft.Raftpb;

namespace Cairn.Raft.Tests.Support;

/// <summary>Parses the compact conf change notation of etcd-io/raft's tests: "v2 l3 r1 u4" adds voter 2, adds
/// learner 3, removes 1, updates 4. An empty string is the empty change that leaves a joint configuration.</summary>
internal static class ConfChangeParser
{
    public static ConfChangeV2 Parse(string text, ConfChangeTransition transition = ConfChangeTransition.Auto)
    {
        var cc = new ConfChangeV2 { Transition = transition };
        foreach (string token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var type = token[0] switch
            {
                'v' => ConfChangeType.ConfChangeAddNode,
                'l' => ConfChangeType.ConfChangeAddLearnerNode,
                'r' => ConfChangeType.ConfChangeRemoveNode,
                'u' => ConfChangeType.ConfChangeUpdateNode,
                _ => throw new FormatException($"unknown conf change {token}"),
            };
            cc.Changes.Add(new ConfChangeSingle { Type = type, NodeId = ulong.Parse(token[1..]) });
        }
        return cc;
    }
}
