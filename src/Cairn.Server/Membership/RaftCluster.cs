using System.Buffers.Binary;
using Cairn.Server.Peer.Peerpb;
using Cairn.Storage.Backend;
using Google.Protobuf;

namespace Cairn.Server.Membership;

/// <summary>
/// The cluster's membership as applied from the raft log (etcd's membership.RaftCluster): members with their
/// raft attributes (peer URLs, learner) and attributes (name, client URLs), and the IDs of removed members, which
/// may never rejoin. Changes are applied on the raft loop and persisted in the backend's "members" and
/// "members_removed" buckets, in the same batch as the entry's consistent index.
/// </summary>
internal sealed class RaftCluster
{
    private readonly object gate = new();
    private readonly IBackend backend;
    private Dictionary<ulong, MemberInfo> members = [];
    private HashSet<ulong> removed = [];

    public RaftCluster(IBackend backend, ulong clusterId)
    {
        this.backend = backend;
        ClusterId = clusterId;
        Reload();
    }

    public ulong ClusterId { get; }

    public IReadOnlyList<MemberInfo> Members
    {
        get
        {
            lock (gate)
            {
                return members.Values.OrderBy(m => m.Id).Select(m => m.Clone()).ToList();
            }
        }
    }

    public MemberInfo? Get(ulong id)
    {
        lock (gate)
        {
            return members.TryGetValue(id, out var m) ? m.Clone() : null;
        }
    }

    public bool IsLearner(ulong id)
    {
        lock (gate)
        {
            return members.TryGetValue(id, out var m) && m.IsLearner;
        }
    }

    public bool IsRemoved(ulong id)
    {
        lock (gate)
        {
            return removed.Contains(id);
        }
    }

    /// <summary>Adds a member (voter or learner); its attributes arrive later by publish.</summary>
    public void Add(MemberInfo member) => Mutate(() => members[member.Id] = member.Clone(), member.Id);

    public void Remove(ulong id)
    {
        Mutate(() =>
        {
            members.Remove(id);
            removed.Add(id);
        }, id);
    }

    public void UpdatePeerUrls(ulong id, IEnumerable<string> peerUrls) => Mutate(() =>
    {
        if (members.TryGetValue(id, out var m))
        {
            m.PeerUrls.Clear();
            m.PeerUrls.AddRange(peerUrls);
        }
    }, id);

    public void Promote(ulong id) => Mutate(() =>
    {
        if (members.TryGetValue(id, out var m))
        {
            m.IsLearner = false;
        }
    }, id);

    /// <summary>A member's published name and client URLs.</summary>
    public void SetAttributes(ulong id, string name, IEnumerable<string> clientUrls) => Mutate(() =>
    {
        if (members.TryGetValue(id, out var m))
        {
            m.Name = name;
            m.ClientUrls.Clear();
            m.ClientUrls.AddRange(clientUrls);
        }
    }, id);

    public IReadOnlyList<ulong> RemovedIds
    {
        get
        {
            lock (gate)
            {
                return removed.Order().ToList();
            }
        }
    }

    private void Mutate(Action change, ulong id)
    {
        lock (gate)
        {
            change();
            using var tx = backend.BatchTx();
            var key = Key(id);
            if (members.TryGetValue(id, out var m))
            {
                tx.Put(Buckets.Members, key, m.ToByteArray());
            }
            else
            {
                tx.Delete(Buckets.Members, key);
            }
            if (removed.Contains(id))
            {
                tx.Put(Buckets.MembersRemoved, key, []);
            }
        }
    }

    /// <summary>(Re)reads the membership from the backend: at start, and after a snapshot replaced the backend.</summary>
    public void Reload()
    {
        var loaded = new Dictionary<ulong, MemberInfo>();
        var gone = new HashSet<ulong>();
        using (var read = backend.ReadTx())
        {
            read.Range(Buckets.Members, [], [], (_, v) =>
            {
                var m = MemberInfo.Parser.ParseFrom(v);
                loaded[m.Id] = m;
                return true;
            });
            read.Range(Buckets.MembersRemoved, [], [], (k, _) =>
            {
                gone.Add(BinaryPrimitives.ReadUInt64BigEndian(k));
                return true;
            });
        }
        lock (gate)
        {
            members = loaded;
            removed = gone;
        }
    }

    private static byte[] Key(ulong id)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, id);
        return key;
    }
}
