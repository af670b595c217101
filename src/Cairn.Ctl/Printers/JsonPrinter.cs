using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Google.Protobuf;

namespace Cairn.Ctl.Printers;

/// <summary>
/// etcdctl's "json" format: json.Marshal of what the command received. Plain responses are etcd's protobuf structs
/// (<see cref="GoJson"/>); the lease and watch responses are clientv3's own structs, whose JSON differs (header fields
/// promoted to the top level, Go field names, keys:null), and are written out here by hand.
/// </summary>
internal sealed class JsonPrinter(CtlConsole console) : Printer("json", console)
{
    public override void Del(DeleteRangeResponse r) => Print(r);

    public override void Get(RangeResponse r) => Print(r);

    public override void Put(PutResponse r) => Print(r);

    public override void Txn(TxnResponse r) => Print(r);

    public override void Watch(WatchResponse r)
    {
        var json = new GoJson().Raw("{\"Header\":").Message(r.Header ?? new ResponseHeader()).Raw(",\"Events\":[");
        for (var i = 0; i < r.Events.Count; i++)
        {
            json.Raw(i > 0 ? "," : "").Message(r.Events[i]);
        }

        json.Raw("],\"CompactRevision\":").Number(r.CompactRevision)
            .Raw(",\"Canceled\":").Bool(r.Canceled)
            .Raw(",\"Created\":").Bool(r.Created).Raw("}");
        Console.WriteLine(json.ToString());
    }

    public override void Grant(LeaseGrantResponse r) =>
        WithPromotedHeader(r.Header, j => j.Raw("\"ID\":").Number(r.ID).Raw(",\"TTL\":").Number(r.TTL).Raw(",\"Error\":").String(r.Error));

    public override void Revoke(long id, LeaseRevokeResponse r) => Print(r);

    public override void KeepAlive(LeaseKeepAliveResponse r) =>
        WithPromotedHeader(r.Header, j => j.Raw("\"ID\":").Number(r.ID).Raw(",\"TTL\":").Number(r.TTL));

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys) =>
        WithPromotedHeader(r.Header, j =>
        {
            j.Raw("\"id\":").Number(r.ID).Raw(",\"ttl\":").Number(r.TTL).Raw(",\"granted-ttl\":").Number(r.GrantedTTL).Raw(",\"keys\":");
            if (r.Keys.Count == 0)
            {
                j.Raw("null");
                return;
            }

            j.Raw("[");
            for (var i = 0; i < r.Keys.Count; i++)
            {
                j.Raw(i > 0 ? "," : "").String(r.Keys[i].ToBase64());
            }

            j.Raw("]");
        });

    public override void Leases(LeaseLeasesResponse r) =>
        WithPromotedHeader(r.Header, j =>
        {
            j.Raw("\"leases\":[");
            for (var i = 0; i < r.Leases.Count; i++)
            {
                j.Raw(i > 0 ? ",{\"id\":" : "{\"id\":").Number(r.Leases[i].ID).Raw("}");
            }

            j.Raw("]");
        });

    public override void MemberAdd(MemberAddResponse r) => Print(r);

    public override void MemberRemove(ulong id, MemberRemoveResponse r) => Print(r);

    public override void MemberUpdate(ulong id, MemberUpdateResponse r) => Print(r);

    public override void MemberPromote(ulong id, MemberPromoteResponse r) => Print(r);

    public override void MemberList(MemberListResponse r) => Print(r);

    public override void EndpointHealth(IReadOnlyList<EndpointHealth> list) =>
        Array(list, (j, h) =>
        {
            j.Raw("{\"endpoint\":").String(h.Endpoint).Raw(",\"health\":").Bool(h.Health).Raw(",\"took\":").String(h.Took);
            if (h.Error.Length > 0)
            {
                j.Raw(",\"error\":").String(h.Error);
            }

            j.Raw("}");
        });

    public override void EndpointStatus(IReadOnlyList<EndpointStatus> list) =>
        Array(list, (j, s) => j.Raw("{\"Endpoint\":").String(s.Endpoint).Raw(",\"Status\":").Message(s.Status).Raw("}"));

    public override void EndpointHashKv(IReadOnlyList<EndpointHashKv> list) =>
        Array(list, (j, h) => j.Raw("{\"Endpoint\":").String(h.Endpoint).Raw(",\"HashKV\":").Message(h.HashKv).Raw("}"));

    public override void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) => Print(r);

    public override void Alarm(AlarmResponse r) => Print(r);

    public override void DbStatus(SnapshotStatus status) =>
        Console.WriteLine(new GoJson().Raw("{\"hash\":").Number(status.Hash).Raw(",\"revision\":").Number(status.Revision)
            .Raw(",\"totalKey\":").Number(status.TotalKey).Raw(",\"totalSize\":").Number(status.TotalSize).Raw("}").ToString());

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Print(r);

    public override void RoleGet(string role, AuthRoleGetResponse r) => Print(r);

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Print(r);

    public override void RoleList(AuthRoleListResponse r) => Print(r);

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Print(r);

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Print(r);

    public override void UserAdd(string user, AuthUserAddResponse r) => Print(r);

    public override void UserGet(string user, AuthUserGetResponse r) => Print(r);

    public override void UserList(AuthUserListResponse r) => Print(r);

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Print(r);

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Print(r);

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Print(r);

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Print(r);

    private void Print(IMessage message) => Console.WriteLine(GoJson.Of(message));

    /// <summary>A clientv3 struct that embeds *pb.ResponseHeader: the header's fields first, then the struct's own.</summary>
    private void WithPromotedHeader(ResponseHeader? header, Action<GoJson> rest)
    {
        var json = new GoJson().Raw("{");
        var first = true;
        json.Fields(header, ref first);
        if (!first)
        {
            json.Raw(",");
        }

        rest(json);
        Console.WriteLine(json.Raw("}").ToString());
    }

    private void Array<T>(IReadOnlyList<T> items, Action<GoJson, T> write)
    {
        var json = new GoJson().Raw("[");
        for (var i = 0; i < items.Count; i++)
        {
            json.Raw(i > 0 ? "," : "");
            write(json, items[i]);
        }

        Console.WriteLine(json.Raw("]").ToString());
    }
}
