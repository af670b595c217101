using System.Collections.Generic;
using System.Text;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft;

/// <summary>Small helpers over the wire types (etcd-io/raft's util.go).</summary>
public static class Util
{
    /// <summary>The first entries of <paramref name="entries"/> whose total serialized size stays within
    /// <paramref name="maxSize"/>; the first entry is always kept so that progress is possible.</summary>
    public static IReadOnlyList<Entry> LimitSize(IReadOnlyList<Entry> entries, ulong maxSize)
    {
        if (entries.Count == 0)
        {
            return entries;
        }
        ulong size = (ulong)entries[0].CalculateSize();
        int limit = 1;
        for (; limit < entries.Count; limit++)
        {
            size += (ulong)entries[limit].CalculateSize();
            if (size > maxSize)
            {
                break;
            }
        }
        if (limit == entries.Count)
        {
            return entries;
        }
        var result = new List<Entry>(limit);
        for (int i = 0; i < limit; i++)
        {
            result.Add(entries[i]);
        }
        return result;
    }

    /// <summary>Size of an entry's payload, the unit of <see cref="Config.MaxUncommittedEntriesSize"/>.</summary>
    public static ulong PayloadSize(Entry entry) => (ulong)entry.Data.Length;

    public static ulong PayloadsSize(IReadOnlyList<Entry> entries)
    {
        ulong size = 0;
        foreach (var e in entries)
        {
            size += PayloadSize(e);
        }
        return size;
    }

    public static bool IsEmptyHardState(HardState? hs) => hs is null || (hs.Term == 0 && hs.Vote == 0 && hs.Commit == 0);

    public static bool IsHardStateEqual(HardState a, HardState b) =>
        a.Term == b.Term && a.Vote == b.Vote && a.Commit == b.Commit;

    public static bool IsEmptySnap(Snapshot? snapshot) => snapshot?.Metadata is null || snapshot.Metadata.Index == 0;

    /// <summary>Messages a node generates for itself; they never cross the network.</summary>
    public static bool IsLocalMsg(MessageType type) =>
        type is MessageType.MsgHup or MessageType.MsgBeat or MessageType.MsgUnreachable
            or MessageType.MsgSnapStatus or MessageType.MsgCheckQuorum;

    public static bool IsResponseMsg(MessageType type) =>
        type is MessageType.MsgAppResp or MessageType.MsgVoteResp or MessageType.MsgHeartbeatResp
            or MessageType.MsgUnreachable or MessageType.MsgPreVoteResp;

    /// <summary>The response type that matches a (pre)vote request.</summary>
    public static MessageType VoteRespMsgType(MessageType type) => type switch
    {
        MessageType.MsgVote => MessageType.MsgVoteResp,
        MessageType.MsgPreVote => MessageType.MsgPreVoteResp,
        _ => throw new System.InvalidOperationException($"not a vote message: {type}"),
    };

    /// <summary>A one-line, deterministic rendering of a message, used by logs and the interaction tests.</summary>
    public static string DescribeMessage(Message m)
    {
        var sb = new StringBuilder();
        sb.Append(m.From).Append("->").Append(m.To).Append(' ').Append(m.Type)
          .Append(" Term:").Append(m.Term).Append(" Log:").Append(m.LogTerm).Append('/').Append(m.Index);
        if (m.Reject)
        {
            sb.Append(" Rejected (Hint: ").Append(m.RejectHint).Append(')');
        }
        if (m.Commit != 0)
        {
            sb.Append(" Commit:").Append(m.Commit);
        }
        if (m.Entries.Count > 0)
        {
            sb.Append(" Entries:[");
            for (int i = 0; i < m.Entries.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }
                sb.Append(DescribeEntry(m.Entries[i]));
            }
            sb.Append(']');
        }
        if (!m.Context.IsEmpty)
        {
            sb.Append(" Context:").Append(m.Context.ToStringUtf8());
        }
        if (!IsEmptySnap(m.Snapshot))
        {
            sb.Append(" Snapshot: ").Append(DescribeSnapshot(m.Snapshot!));
        }
        return sb.ToString();
    }

    public static string DescribeEntry(Entry e)
    {
        string data = e.Type switch
        {
            EntryType.EntryConfChange => DescribeConfChange(Raftpb.ConfChange.Parser.ParseFrom(e.Data)),
            EntryType.EntryConfChangeV2 => DescribeConfChangeV2(ConfChangeV2.Parser.ParseFrom(e.Data)),
            _ => e.Data.ToStringUtf8(),
        };
        string kind = e.Type switch
        {
            EntryType.EntryConfChange => " ConfChange",
            EntryType.EntryConfChangeV2 => " ConfChangeV2",
            _ => "",
        };
        return data.Length == 0 ? $"{e.Term}/{e.Index}{kind}" : $"{e.Term}/{e.Index}{kind} {data}";
    }

    public static string DescribeSnapshot(Snapshot s) =>
        $"Index:{s.Metadata.Index} Term:{s.Metadata.Term} ConfState:{DescribeConfState(s.Metadata.ConfState)}";

    public static string DescribeHardState(HardState hs) => $"Term:{hs.Term} Vote:{hs.Vote} Commit:{hs.Commit}";

    public static string DescribeConfState(ConfState? cs)
    {
        if (cs is null)
        {
            return "Voters:[] VotersOutgoing:[] Learners:[] LearnersNext:[] AutoLeave:False";
        }
        return $"Voters:[{string.Join(' ', cs.Voters)}] VotersOutgoing:[{string.Join(' ', cs.VotersOutgoing)}] " +
               $"Learners:[{string.Join(' ', cs.Learners)}] LearnersNext:[{string.Join(' ', cs.LearnersNext)}] " +
               $"AutoLeave:{cs.AutoLeave}";
    }

    public static string DescribeConfChange(Raftpb.ConfChange cc) => DescribeConfChangeV2(cc.AsV2());

    /// <summary>Renders changes in etcd's compact form: "v2 l3 r1" (add voter 2, add learner 3, remove 1).</summary>
    public static string DescribeConfChangeV2(ConfChangeV2 cc)
    {
        var sb = new StringBuilder();
        foreach (var c in cc.Changes)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(c.Type switch
            {
                ConfChangeType.ConfChangeAddNode => 'v',
                ConfChangeType.ConfChangeRemoveNode => 'r',
                ConfChangeType.ConfChangeUpdateNode => 'u',
                _ => 'l',
            }).Append(c.NodeId);
        }
        if (cc.Transition != ConfChangeTransition.Auto)
        {
            sb.Append(" (").Append(cc.Transition).Append(')');
        }
        return sb.Length == 0 ? "leave-joint" : sb.ToString();
    }
}
