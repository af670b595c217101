using Cairn.Raft;
using Cairn.Raft.Raftpb;
using Cairn.Server.Peer.Peerpb;
using Cairn.Storage.Wal;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Raft;

internal sealed partial class RaftNode
{
    /// <summary>
    /// One Ready: persist, send, hand committed entries to apply, advance. A leader sends first, so its fsync runs
    /// alongside the followers' (Raft thesis 10.2.1; an entry it has not persisted yet is committed only through
    /// a later Ready, after this one's fsync). Everyone else persists first, since their messages acknowledge
    /// what they have persisted. Apply runs on the <see cref="Applier"/> thread while the loop goes on.
    /// </summary>
    private void ProcessReady(Ready rd)
    {
        applier.ThrowIfFaulted();
        if (rd.HardState is { } state)
        {
            Volatile.Write(ref term, state.Term);
        }
        if (rd.SoftState is { } soft)
        {
            OnSoftState(soft);
        }
        var sentFirst = isLeader;
        if (sentFirst)
        {
            transport.Send(rd.Messages);
        }
        if (rd.Snapshot is { } incoming)
        {
            host.Snapshotter.SaveSnap(incoming);
            host.Wal.SaveSnapshot(new WalSnapshot(incoming.Metadata.Index, incoming.Metadata.Term, incoming.Metadata.ConfState));
        }
        host.Wal.Save(rd.HardState, rd.Entries, rd.MustSync);
        if (rd.Snapshot is { } snapshot)
        {
            InstallSnapshot(snapshot);
        }
        host.Storage.Append(rd.Entries);
        if (rd.HardState is { } hs)
        {
            host.Storage.SetHardState(hs);
            Volatile.Write(ref term, hs.Term);
            Volatile.Write(ref commitIndex, hs.Commit);
        }
        if (!sentFirst)
        {
            transport.Send(rd.Messages);
        }
        foreach (var rs in rd.ReadStates)
        {
            OnReadState(rs);
        }
        Apply(rd.CommittedEntries);
        node.Advance(rd);
        MaybeTriggerSnapshot();
    }

    private void OnSoftState(SoftState soft)
    {
        var wasLeader = isLeader;
        var oldLeader = leaderId;
        Volatile.Write(ref leaderId, soft.Lead);
        Volatile.Write(ref isLeader, soft.RaftState == StateType.Leader);
        if (soft.Lead != oldLeader || isLeader != wasLeader)
        {
            LogLeader(host.MemberId, soft.Lead, Term);
            OnLeaderChanged();
            host.LeaderChanged(soft.Lead, isLeader);
        }
    }

    /// <summary>
    /// Hands runs of normal entries to the applier; a conf change is applied here, on the loop (it changes raft's
    /// configuration), once everything before it is applied.
    /// </summary>
    private void Apply(IReadOnlyList<Entry> entries)
    {
        var run = new List<Entry>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.Type == EntryType.EntryNormal)
            {
                run.Add(entry);
                continue;
            }
            if (run.Count > 0)
            {
                applier.Enqueue([.. run]);
                run.Clear();
            }
            applier.Drain();
            if (entry.Type == EntryType.EntryConfChange)
            {
                ApplyConfChange(ConfChange.Parser.ParseFrom(entry.Data), entry);
            }
            else
            {
                ApplyConfChangeV2(ConfChangeV2.Parser.ParseFrom(entry.Data), entry);
            }
            OnApplied(entry.Index);
        }
        if (run.Count > 0)
        {
            applier.Enqueue([.. run]);
        }
    }

    /// <summary>Entries through <paramref name="index"/> are applied: reads waiting for them may go.</summary>
    private void OnApplied(ulong index)
    {
        Volatile.Write(ref appliedIndex, index);
        CompleteReads();
    }

    /// <summary>Applies a membership change to raft's configuration, the cluster store and the transport; the
    /// entry's consistent index is recorded in the same backend batch.</summary>
    private void ApplyConfChange(ConfChange cc, Entry entry)
    {
        confState = node.ApplyConfChange(cc);
        using (var batch = host.Backend.BatchTx())
        {
            var alreadyApplied = entry.Index <= host.Backend.ConsistentIndex.Index;
            if (!alreadyApplied)
            {
                ApplyMembership(cc.Type, cc.NodeId, cc.Context);
                host.Backend.SetConsistentIndex(entry.Index, entry.Term);
            }
        }
        host.Waits.Trigger(cc.Id, new ApplyResult(null, null));
        if (cc.Type == ConfChangeType.ConfChangeRemoveNode && cc.NodeId == host.MemberId)
        {
            host.Stop("the member has been permanently removed from the cluster; it stops and must not be restarted with this data dir");
        }
    }

    private void ApplyConfChangeV2(ConfChangeV2 cc, Entry entry)
    {
        confState = node.ApplyConfChange(cc);
        using (var batch = host.Backend.BatchTx())
        {
            if (entry.Index > host.Backend.ConsistentIndex.Index)
            {
                foreach (var change in cc.Changes)
                {
                    ApplyMembership(change.Type, change.NodeId, cc.Context);
                }
                host.Backend.SetConsistentIndex(entry.Index, entry.Term);
            }
        }
    }

    private void ApplyMembership(ConfChangeType type, ulong nodeId, Google.Protobuf.ByteString context)
    {
        switch (type)
        {
            case ConfChangeType.ConfChangeAddNode:
            case ConfChangeType.ConfChangeAddLearnerNode:
                var existing = host.Cluster.Get(nodeId);
                if (existing is { IsLearner: true } && type == ConfChangeType.ConfChangeAddNode)
                {
                    host.Cluster.Promote(nodeId);
                }
                else if (existing is null && !context.IsEmpty)
                {
                    var member = MemberInfo.Parser.ParseFrom(context);
                    member.IsLearner = type == ConfChangeType.ConfChangeAddLearnerNode;
                    host.Cluster.Add(member);
                    transport.AddPeer(member.Id, member.PeerUrls);
                }
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                host.Cluster.Remove(nodeId);
                _ = transport.RemovePeerAsync(nodeId);
                break;
            case ConfChangeType.ConfChangeUpdateNode:
                if (!context.IsEmpty)
                {
                    var updated = MemberInfo.Parser.ParseFrom(context);
                    host.Cluster.UpdatePeerUrls(nodeId, updated.PeerUrls);
                    _ = transport.UpdatePeerAsync(nodeId, updated.PeerUrls);
                }
                break;
        }
    }

    /// <summary>A snapshot from the leader: its backend data replaces ours; raft's log restarts after it.</summary>
    private void InstallSnapshot(Snapshot snapshot)
    {
        applier.Drain();
        var index = snapshot.Metadata.Index;
        if (!receivedSnapshots.Remove(index, out var dbPath))
        {
            throw new InvalidDataException($"raft handed over snapshot {index} but no backend data was received for it");
        }
        foreach (var stale in receivedSnapshots.Where(kv => kv.Key < index).ToList())
        {
            File.Delete(stale.Value);
            receivedSnapshots.Remove(stale.Key);
        }
        host.Storage.ApplySnapshot(snapshot);
        host.InstallSnapshot(dbPath, snapshot);
        host.Cluster.Reload();
        confState = snapshot.Metadata.ConfState;
        snapshotIndex = index;
        Volatile.Write(ref appliedIndex, Math.Max(index, host.Backend.ConsistentIndex.Index));
        foreach (var m in host.Cluster.Members)
        {
            transport.AddPeer(m.Id, m.PeerUrls);
        }
        LogSnapshotInstalled(index, snapshot.Metadata.Term);
    }

    /// <summary>
    /// Every --snapshot-count applied entries: commit the backend, record a raft snapshot (membership lives in the
    /// backend, so its data is empty), and compact the in-memory log, keeping some entries for slow followers.
    /// </summary>
    private void MaybeTriggerSnapshot()
    {
        var applied = appliedIndex;
        if (applied - snapshotIndex <= host.SnapshotCount)
        {
            return;
        }
        host.Backend.ForceCommit();
        if (host.Storage.CreateSnapshot(applied, confState, Google.Protobuf.ByteString.Empty, out var snap) != RaftError.None)
        {
            return;
        }
        host.Snapshotter.SaveSnap(snap);
        host.Wal.SaveSnapshot(new WalSnapshot(snap.Metadata.Index, snap.Metadata.Term, snap.Metadata.ConfState));
        snapshotIndex = applied;
        if (applied > SnapshotCatchUpEntries)
        {
            host.Storage.Compact(applied - SnapshotCatchUpEntries);
        }
        host.Wal.ReleaseLockTo(applied > SnapshotCatchUpEntries ? applied - SnapshotCatchUpEntries : 0);
        host.Snapshotter.Purge(5);
        LogSnapshotTaken(applied);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "member {MemberId:x}: leader is now {Leader:x} at term {Term}")]
    private partial void LogLeader(ulong memberId, ulong leader, ulong term);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "applied incoming snapshot at index {Index}, term {Term}")]
    private partial void LogSnapshotInstalled(ulong index, ulong term);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "saved a raft snapshot at applied index {Index}")]
    private partial void LogSnapshotTaken(ulong index);
}
