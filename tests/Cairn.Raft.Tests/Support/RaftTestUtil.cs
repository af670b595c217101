using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Support;

/// <summary>Builders shared by the core tests (the counterparts of etcd-io/raft's test helpers).</summary>
internal static class RaftTestUtil
{
    public const ulong NoLimit = ulong.MaxValue;

    public static MemoryStorage NewStorage(ulong[] voters, ulong[]? learners = null)
    {
        var storage = new MemoryStorage();
        var cs = new ConfState();
        cs.Voters.AddRange(voters);
        cs.Learners.AddRange(learners ?? []);
        storage.InitConfState(cs);
        return storage;
    }

    public static MemoryStorage NewStorage(ConfState confState)
    {
        var storage = new MemoryStorage();
        storage.InitConfState(confState);
        return storage;
    }

    public static ConfState Joint(ulong[] incoming, ulong[] outgoing)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(incoming);
        cs.VotersOutgoing.AddRange(outgoing);
        return cs;
    }

    public static Message Hup(ulong id) => new() { From = id, To = id, Type = MessageType.MsgHup };

    public static Message Vote(ulong from, ulong to, ulong term, bool reject = false) =>
        new() { From = from, To = to, Term = term, Type = MessageType.MsgVoteResp, Reject = reject };

    public static Message AppResp(ulong from, ulong to, ulong term, ulong index) =>
        new() { From = from, To = to, Term = term, Type = MessageType.MsgAppResp, Index = index };

    public static Config NewConfig(ulong id, int election, int heartbeat, IRaftStorage storage) => new()
    {
        Id = id,
        ElectionTick = election,
        HeartbeatTick = heartbeat,
        Storage = storage,
        MaxSizePerMsg = NoLimit,
        MaxInflightMsgs = 256,
        Seed = (int)id,
    };

    public static Raft NewRaft(ulong id, int election, int heartbeat, IRaftStorage storage) =>
        new(NewConfig(id, election, heartbeat, storage));

    /// <summary>A node of the voters <paramref name="peers"/> on fresh storage.</summary>
    public static Raft NewRaft(ulong id, ulong[] peers, int election = 10, int heartbeat = 1) =>
        NewRaft(id, election, heartbeat, NewStorage(peers));

    public static List<Message> ReadMessages(Raft r) => r.TakeMessages();

    /// <summary>Persists the unstable entries into <paramref name="storage"/>, then applies and returns the
    /// committed entries (a minimal ready loop without messages).</summary>
    public static List<Entry> NextEnts(Raft r, MemoryStorage storage)
    {
        var unstable = r.RaftLog.UnstableEntries();
        storage.Append(unstable);
        if (unstable.Count > 0)
        {
            r.RaftLog.StableTo(unstable[^1].Index, unstable[^1].Term);
        }
        var committed = r.RaftLog.NextEnts().ToList();
        if (committed.Count > 0)
        {
            r.RaftLog.AppliedTo(committed[^1].Index);
        }
        return committed;
    }

    /// <summary>Commits the new leader's empty entry on a fresh leader by acknowledging it from every peer.</summary>
    public static void CommitNoopEntry(Raft r, MemoryStorage storage)
    {
        Assert.Equal(StateType.Leader, r.State);
        foreach (ulong id in r.Trk.Progress.Ids.ToArray())
        {
            if (id != r.Id)
            {
                r.Step(new Message { From = id, To = r.Id, Type = MessageType.MsgAppResp, Term = r.Term, Index = r.RaftLog.LastIndex() });
            }
        }
        r.TakeMessages();
        NextEnts(r, storage);
    }

    public static Message Prop(ulong to, string data)
    {
        var m = new Message { From = to, To = to, Type = MessageType.MsgProp };
        m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8(data) });
        return m;
    }

    public static Message Msg(ulong from, ulong to, MessageType type, ulong term = 0) =>
        new() { From = from, To = to, Type = type, Term = term };

    public static Entry Ent(ulong index, ulong term, string? data = null) =>
        new() { Index = index, Term = term, Data = data is null ? ByteString.Empty : ByteString.CopyFromUtf8(data) };

    public static Message AppendMsg(ulong from, ulong to, ulong term, ulong logTerm, ulong index, ulong commit, params Entry[] entries)
    {
        var m = new Message { From = from, To = to, Type = MessageType.MsgApp, Term = term, LogTerm = logTerm, Index = index, Commit = commit };
        m.Entries.AddRange(entries);
        return m;
    }

    /// <summary>Storage pre-filled with <paramref name="terms"/>: entry i+1 has term terms[i].</summary>
    public static MemoryStorage StorageWithTerms(ulong[] voters, params ulong[] terms)
    {
        var storage = NewStorage(voters);
        storage.Append(terms.Select((t, i) => Ent((ulong)i + 1, t)).ToList());
        return storage;
    }

    /// <summary>A node whose log has the given terms and whose HardState term is the last of them.</summary>
    public static Raft VotedWithConfig(ulong id, ulong[] voters, ulong vote, ulong term, params ulong[] logTerms)
    {
        var storage = StorageWithTerms(voters, logTerms);
        storage.SetHardState(new HardState { Vote = vote, Term = term });
        return NewRaft(id, 10, 1, storage);
    }

    public static string Describe(IEnumerable<Message> msgs) => string.Join("\n", msgs.Select(Util.DescribeMessage));
}
