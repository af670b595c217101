using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Api.Tests.Etcdserverpb;

/// <summary>
/// Pins field names, numbers and types of etcd 3.5's messages through the generated descriptors (values taken from
/// etcd-io/etcd v3.5.17 api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto, api/authpb/auth.proto).
/// </summary>
public sealed class ProtoShapeTests
{
    private static readonly Dictionary<string, MessageDescriptor> Messages = IndexMessages(
        RpcReflection.Descriptor, KvReflection.Descriptor, AuthReflection.Descriptor);

    public static readonly TheoryData<string, string, int, FieldType, bool> Fields = new()
    {
        { "etcdserverpb.ResponseHeader", "cluster_id", 1, FieldType.UInt64, false },
        { "etcdserverpb.ResponseHeader", "member_id", 2, FieldType.UInt64, false },
        { "etcdserverpb.ResponseHeader", "revision", 3, FieldType.Int64, false },
        { "etcdserverpb.ResponseHeader", "raft_term", 4, FieldType.UInt64, false },
        { "etcdserverpb.RangeRequest", "key", 1, FieldType.Bytes, false },
        { "etcdserverpb.RangeRequest", "range_end", 2, FieldType.Bytes, false },
        { "etcdserverpb.RangeRequest", "limit", 3, FieldType.Int64, false },
        { "etcdserverpb.RangeRequest", "revision", 4, FieldType.Int64, false },
        { "etcdserverpb.RangeRequest", "sort_order", 5, FieldType.Enum, false },
        { "etcdserverpb.RangeRequest", "sort_target", 6, FieldType.Enum, false },
        { "etcdserverpb.RangeRequest", "serializable", 7, FieldType.Bool, false },
        { "etcdserverpb.RangeRequest", "keys_only", 8, FieldType.Bool, false },
        { "etcdserverpb.RangeRequest", "count_only", 9, FieldType.Bool, false },
        { "etcdserverpb.RangeRequest", "min_mod_revision", 10, FieldType.Int64, false },
        { "etcdserverpb.RangeRequest", "max_mod_revision", 11, FieldType.Int64, false },
        { "etcdserverpb.RangeRequest", "min_create_revision", 12, FieldType.Int64, false },
        { "etcdserverpb.RangeRequest", "max_create_revision", 13, FieldType.Int64, false },
        { "etcdserverpb.RangeResponse", "kvs", 2, FieldType.Message, true },
        { "etcdserverpb.RangeResponse", "more", 3, FieldType.Bool, false },
        { "etcdserverpb.RangeResponse", "count", 4, FieldType.Int64, false },
        { "etcdserverpb.PutRequest", "lease", 3, FieldType.Int64, false },
        { "etcdserverpb.PutRequest", "prev_kv", 4, FieldType.Bool, false },
        { "etcdserverpb.PutRequest", "ignore_value", 5, FieldType.Bool, false },
        { "etcdserverpb.PutRequest", "ignore_lease", 6, FieldType.Bool, false },
        { "etcdserverpb.DeleteRangeResponse", "prev_kvs", 3, FieldType.Message, true },
        { "etcdserverpb.RequestOp", "request_txn", 4, FieldType.Message, false },
        { "etcdserverpb.ResponseOp", "response_delete_range", 3, FieldType.Message, false },
        { "etcdserverpb.Compare", "result", 1, FieldType.Enum, false },
        { "etcdserverpb.Compare", "target", 2, FieldType.Enum, false },
        { "etcdserverpb.Compare", "value", 7, FieldType.Bytes, false },
        { "etcdserverpb.Compare", "lease", 8, FieldType.Int64, false },
        { "etcdserverpb.Compare", "range_end", 64, FieldType.Bytes, false },
        { "etcdserverpb.CompactionRequest", "physical", 2, FieldType.Bool, false },
        { "etcdserverpb.HashKVResponse", "compact_revision", 3, FieldType.Int64, false },
        { "etcdserverpb.SnapshotResponse", "remaining_bytes", 2, FieldType.UInt64, false },
        { "etcdserverpb.WatchRequest", "progress_request", 3, FieldType.Message, false },
        { "etcdserverpb.WatchCreateRequest", "start_revision", 3, FieldType.Int64, false },
        { "etcdserverpb.WatchCreateRequest", "progress_notify", 4, FieldType.Bool, false },
        { "etcdserverpb.WatchCreateRequest", "filters", 5, FieldType.Enum, true },
        { "etcdserverpb.WatchCreateRequest", "prev_kv", 6, FieldType.Bool, false },
        { "etcdserverpb.WatchCreateRequest", "watch_id", 7, FieldType.Int64, false },
        { "etcdserverpb.WatchCreateRequest", "fragment", 8, FieldType.Bool, false },
        { "etcdserverpb.WatchResponse", "compact_revision", 5, FieldType.Int64, false },
        { "etcdserverpb.WatchResponse", "cancel_reason", 6, FieldType.String, false },
        { "etcdserverpb.WatchResponse", "fragment", 7, FieldType.Bool, false },
        { "etcdserverpb.WatchResponse", "events", 11, FieldType.Message, true },
        { "etcdserverpb.LeaseGrantRequest", "TTL", 1, FieldType.Int64, false },
        { "etcdserverpb.LeaseGrantRequest", "ID", 2, FieldType.Int64, false },
        { "etcdserverpb.LeaseGrantResponse", "error", 4, FieldType.String, false },
        { "etcdserverpb.LeaseCheckpoint", "remaining_TTL", 2, FieldType.Int64, false },
        { "etcdserverpb.LeaseTimeToLiveResponse", "grantedTTL", 4, FieldType.Int64, false },
        { "etcdserverpb.LeaseTimeToLiveResponse", "keys", 5, FieldType.Bytes, true },
        { "etcdserverpb.LeaseLeasesResponse", "leases", 2, FieldType.Message, true },
        { "etcdserverpb.Member", "ID", 1, FieldType.UInt64, false },
        { "etcdserverpb.Member", "name", 2, FieldType.String, false },
        { "etcdserverpb.Member", "peerURLs", 3, FieldType.String, true },
        { "etcdserverpb.Member", "clientURLs", 4, FieldType.String, true },
        { "etcdserverpb.Member", "isLearner", 5, FieldType.Bool, false },
        { "etcdserverpb.MemberAddRequest", "isLearner", 2, FieldType.Bool, false },
        { "etcdserverpb.MemberAddResponse", "members", 3, FieldType.Message, true },
        { "etcdserverpb.MemberListRequest", "linearizable", 1, FieldType.Bool, false },
        { "etcdserverpb.MoveLeaderRequest", "targetID", 1, FieldType.UInt64, false },
        { "etcdserverpb.AlarmRequest", "memberID", 2, FieldType.UInt64, false },
        { "etcdserverpb.AlarmRequest", "alarm", 3, FieldType.Enum, false },
        { "etcdserverpb.DowngradeRequest", "action", 1, FieldType.Enum, false },
        { "etcdserverpb.DowngradeRequest", "version", 2, FieldType.String, false },
        { "etcdserverpb.StatusResponse", "header", 1, FieldType.Message, false },
        { "etcdserverpb.StatusResponse", "version", 2, FieldType.String, false },
        { "etcdserverpb.StatusResponse", "dbSize", 3, FieldType.Int64, false },
        { "etcdserverpb.StatusResponse", "leader", 4, FieldType.UInt64, false },
        { "etcdserverpb.StatusResponse", "raftIndex", 5, FieldType.UInt64, false },
        { "etcdserverpb.StatusResponse", "raftTerm", 6, FieldType.UInt64, false },
        { "etcdserverpb.StatusResponse", "raftAppliedIndex", 7, FieldType.UInt64, false },
        { "etcdserverpb.StatusResponse", "errors", 8, FieldType.String, true },
        { "etcdserverpb.StatusResponse", "dbSizeInUse", 9, FieldType.Int64, false },
        { "etcdserverpb.StatusResponse", "isLearner", 10, FieldType.Bool, false },
        { "etcdserverpb.AuthUserAddRequest", "options", 3, FieldType.Message, false },
        { "etcdserverpb.AuthUserAddRequest", "hashedPassword", 4, FieldType.String, false },
        { "etcdserverpb.AuthUserChangePasswordRequest", "hashedPassword", 3, FieldType.String, false },
        { "etcdserverpb.AuthUserGrantRoleRequest", "user", 1, FieldType.String, false },
        { "etcdserverpb.AuthRoleRevokePermissionRequest", "key", 2, FieldType.Bytes, false },
        { "etcdserverpb.AuthRoleRevokePermissionRequest", "range_end", 3, FieldType.Bytes, false },
        { "etcdserverpb.AuthStatusResponse", "enabled", 2, FieldType.Bool, false },
        { "etcdserverpb.AuthStatusResponse", "authRevision", 3, FieldType.UInt64, false },
        { "etcdserverpb.AuthRoleGetResponse", "perm", 2, FieldType.Message, true },
        { "mvccpb.KeyValue", "key", 1, FieldType.Bytes, false },
        { "mvccpb.KeyValue", "create_revision", 2, FieldType.Int64, false },
        { "mvccpb.KeyValue", "mod_revision", 3, FieldType.Int64, false },
        { "mvccpb.KeyValue", "version", 4, FieldType.Int64, false },
        { "mvccpb.KeyValue", "value", 5, FieldType.Bytes, false },
        { "mvccpb.KeyValue", "lease", 6, FieldType.Int64, false },
        { "mvccpb.Event", "type", 1, FieldType.Enum, false },
        { "mvccpb.Event", "kv", 2, FieldType.Message, false },
        { "mvccpb.Event", "prev_kv", 3, FieldType.Message, false },
        { "authpb.UserAddOptions", "no_password", 1, FieldType.Bool, false },
        { "authpb.User", "password", 2, FieldType.Bytes, false },
        { "authpb.User", "options", 4, FieldType.Message, false },
        { "authpb.Permission", "permType", 1, FieldType.Enum, false },
        { "authpb.Permission", "range_end", 3, FieldType.Bytes, false },
        { "authpb.Role", "keyPermission", 2, FieldType.Message, true },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Field_HasEtcdNumberAndType(string message, string field, int number, FieldType type, bool repeated)
    {
        var descriptor = Assert.Contains(message, Messages).FindFieldByName(field);

        Assert.NotNull(descriptor);
        Assert.Equal(number, descriptor.FieldNumber);
        Assert.Equal(type, descriptor.FieldType);
        Assert.Equal(repeated, descriptor.IsRepeated);
    }

    [Fact]
    public void Files_UseEtcdPackages()
    {
        Assert.Equal("etcdserverpb", RpcReflection.Descriptor.Package);
        Assert.Equal("mvccpb", KvReflection.Descriptor.Package);
        Assert.Equal("authpb", AuthReflection.Descriptor.Package);
    }

    [Fact]
    public void HashKVResponse_HasOnlyThe35Fields()
    {
        // hash_revision (4) is etcd 3.6; 3.5 has header, hash, compact_revision.
        var numbers = HashKVResponse.Descriptor.Fields.InFieldNumberOrder().Select(f => f.FieldNumber);

        Assert.Equal([1, 2, 3], numbers);
    }

    [Fact]
    public void StatusResponse_HasExactlyTheTen35Fields()
    {
        var numbers = StatusResponse.Descriptor.Fields.InFieldNumberOrder().Select(f => f.FieldNumber);

        Assert.Equal(Enumerable.Range(1, 10), numbers);
    }

    [Fact]
    public void Enums_HaveEtcdNumbers()
    {
        Assert.Equal(0, (int)Event.Types.EventType.Put);
        Assert.Equal(1, (int)Event.Types.EventType.Delete);
        Assert.Equal(1, (int)AlarmType.Nospace);
        Assert.Equal(2, (int)AlarmType.Corrupt);
        Assert.Equal(2, (int)AlarmRequest.Types.AlarmAction.Deactivate);
        Assert.Equal(3, (int)Compare.Types.CompareResult.NotEqual);
        Assert.Equal(4, (int)Compare.Types.CompareTarget.Lease);
        Assert.Equal(2, (int)RangeRequest.Types.SortOrder.Descend);
        Assert.Equal(4, (int)RangeRequest.Types.SortTarget.Value);
        Assert.Equal(1, (int)WatchCreateRequest.Types.FilterType.Nodelete);
        Assert.Equal(2, (int)DowngradeRequest.Types.DowngradeAction.Cancel);
        Assert.Equal(2, (int)Permission.Types.Type.Readwrite);
    }

    [Fact]
    public void Enums_KeepEtcdValueNames()
    {
        // The gateway's JSON carries enum value names, so the proto names matter, not the C# ones.
        Assert.Equal(["PUT", "DELETE"], Event.Descriptor.EnumTypes.Single().Values.Select(v => v.Name));
        Assert.Equal(
            ["NONE", "NOSPACE", "CORRUPT"],
            RpcReflection.Descriptor.EnumTypes.Single(e => e.Name == "AlarmType").Values.Select(v => v.Name));
    }

    [Fact]
    public void RangeRequest_CountOnly_IsWireField9()
    {
        // Field 9, varint: tag (9 << 3) | 0 = 0x48.
        var bytes = new RangeRequest { CountOnly = true }.ToByteArray();

        Assert.Equal(new byte[] { 0x48, 0x01 }, bytes);
    }

    [Fact]
    public void Compare_RangeEnd_IsWireField64()
    {
        // Field 64, length-delimited: tag (64 << 3) | 2 = 514 = varint 0x82 0x04.
        var bytes = new Compare { RangeEnd = ByteString.CopyFromUtf8("b") }.ToByteArray();

        Assert.Equal(new byte[] { 0x82, 0x04, 0x01, (byte)'b' }, bytes);
    }

    [Fact]
    public void WatchCreateRequest_Fragment_IsWireField8()
    {
        var bytes = new WatchCreateRequest { Fragment = true }.ToByteArray();

        Assert.Equal(new byte[] { 0x40, 0x01 }, bytes);
    }

    private static Dictionary<string, MessageDescriptor> IndexMessages(params FileDescriptor[] files)
    {
        var index = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var pending = new Stack<MessageDescriptor>(files.SelectMany(f => f.MessageTypes));
        while (pending.TryPop(out var message))
        {
            index.Add(message.FullName, message);
            foreach (var nested in message.NestedTypes)
            {
                pending.Push(nested);
            }
        }
        return index;
    }
}
