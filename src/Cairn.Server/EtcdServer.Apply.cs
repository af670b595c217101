using Cairn.Api.Cairnpb;
using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Raft.Raftpb;
using Cairn.Server.Raft;

namespace Cairn.Server;

/// <summary>Applying committed normal entries (etcd's applierV3), on the raft applier thread, in index order.</summary>
public sealed partial class EtcdServer
{
    /// <summary>
    /// Applies one committed entry and records its index as the backend's consistent index in the same batch, so
    /// a restart replays exactly the entries not yet applied; entries at or below the consistent index (replayed
    /// after a restart, or covered by an installed snapshot) are skipped.
    /// </summary>
    private void ApplyEntry(Entry entry)
    {
        using var batch = backend.BatchTx();
        if (entry.Index <= backend.ConsistentIndex.Index)
        {
            return;
        }
        InternalRaftRequest? request = null;
        ApplyResult result = new(null, null);
        if (!entry.Data.IsEmpty)
        {
            request = InternalRaftRequest.Parser.ParseFrom(entry.Data);
            if (!request.IsApplicable)
            {
                // Skipping it would make this member diverge from the others: stop instead.
                throw new InvalidDataException(
                    $"raft entry {entry.Index} holds an envelope of version {request.Version} that this cairn cannot " +
                    $"apply (it understands versions 1 to {InternalRaftRequest.CurrentVersion}); upgrade this member");
            }
            result = Apply(request);
        }
        else
        {
            // A leader's first entry of its term: the lessor may be promoted now.
            OnLeaderEntryApplied(entry.Term);
        }
        backend.SetConsistentIndex(entry.Index, entry.Term);
        if (request is not null)
        {
            waits.Trigger(request.Header.ID, result);
        }
    }

    private ApplyResult Apply(InternalRaftRequest request)
    {
        try
        {
            switch (request.RequestCase)
            {
                case InternalRaftRequest.RequestOneofCase.Put:
                    return new ApplyResult(applier.Put(request.Put), null);
                case InternalRaftRequest.RequestOneofCase.DeleteRange:
                    return new ApplyResult(applier.DeleteRange(request.DeleteRange), null);
                case InternalRaftRequest.RequestOneofCase.Txn:
                    return new ApplyResult(applier.Txn(request.Txn), null);
                case InternalRaftRequest.RequestOneofCase.LeaseGrant:
                case InternalRaftRequest.RequestOneofCase.LeaseRevoke:
                case InternalRaftRequest.RequestOneofCase.LeaseCheckpoint:
                    return ApplyLease(request);
                case InternalRaftRequest.RequestOneofCase.Compaction:
                    var physical = store.Compact(request.Compaction.Revision);
                    var resp = new CompactionResponse { Header = new ResponseHeader { Revision = store.CurrentRevision } };
                    return new ApplyResult(resp, null, physical);
                case InternalRaftRequest.RequestOneofCase.ClusterMemberAttrSet:
                    var attrs = request.ClusterMemberAttrSet;
                    cluster.SetAttributes(attrs.MemberId, attrs.MemberAttributes.Name, attrs.MemberAttributes.ClientUrls);
                    return new ApplyResult(null, null);
                default:
                    throw new InvalidDataException($"no apply path for {request.RequestCase}");
            }
        }
        catch (EtcdException e)
        {
            return new ApplyResult(null, e);
        }
    }
}
