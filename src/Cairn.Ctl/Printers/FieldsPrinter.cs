using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Printers;

/// <summary>etcdctl's "fields" format: one <c>"Name" : value</c> line per field, strings Go-quoted.</summary>
internal sealed class FieldsPrinter(CtlConsole console) : Printer("fields", console)
{
    public override void Del(DeleteRangeResponse r)
    {
        Header(r.Header);
        Line("Deleted", Rows.Num(r.Deleted));
        foreach (var kv in r.PrevKvs)
        {
            Kv("Prev", kv);
        }
    }

    public override void Get(RangeResponse r)
    {
        Header(r.Header);
        foreach (var kv in r.Kvs)
        {
            Kv("", kv);
        }

        Line("More", Bool(r.More));
        Line("Count", Rows.Num(r.Count));
    }

    public override void Put(PutResponse r)
    {
        Header(r.Header);
        if (r.PrevKv is { } prev)
        {
            Kv("Prev", prev);
        }
    }

    public override void Txn(TxnResponse r)
    {
        Header(r.Header);
        Line("Succeeded", Bool(r.Succeeded));
        foreach (var op in r.Responses)
        {
            switch (op.ResponseCase)
            {
                case ResponseOp.ResponseOneofCase.ResponseDeleteRange: Del(op.ResponseDeleteRange); break;
                case ResponseOp.ResponseOneofCase.ResponsePut: Put(op.ResponsePut); break;
                case ResponseOp.ResponseOneofCase.ResponseRange: Get(op.ResponseRange); break;
                default: Console.WriteLine($"\"Unknown\" : {GoText.Quote(op.ToString())}"); break;
            }
        }
    }

    public override void Watch(WatchResponse r)
    {
        Header(r.Header ?? new ResponseHeader());
        foreach (var e in r.Events)
        {
            Line("Type", e.Type == Event.Types.EventType.Put ? "PUT" : "DELETE");
            if (e.PrevKv is { } prev)
            {
                Kv("Prev", prev);
            }

            Kv("", e.Kv ?? new KeyValue());
        }
    }

    public override void Grant(LeaseGrantResponse r)
    {
        Header(r.Header);
        Line("ID", Rows.Num(r.ID));
        Line("TTL", Rows.Num(r.TTL));
    }

    public override void Revoke(long id, LeaseRevokeResponse r) => Header(r.Header);

    public override void KeepAlive(LeaseKeepAliveResponse r)
    {
        Header(r.Header);
        Line("ID", Rows.Num(r.ID));
        Line("TTL", Rows.Num(r.TTL));
    }

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys)
    {
        Header(r.Header);
        Line("ID", Rows.Num(r.ID));
        Line("TTL", Rows.Num(r.TTL));
        Line("GrantedTTL", Rows.Num(r.GrantedTTL));
        foreach (var key in r.Keys)
        {
            Line("Key", GoText.Quote(key.Span));
        }
    }

    public override void Leases(LeaseLeasesResponse r)
    {
        Header(r.Header);
        foreach (var lease in r.Leases)
        {
            Line("ID", Rows.Num(lease.ID));
        }
    }

    public override void MemberList(MemberListResponse r)
    {
        Header(r.Header);
        foreach (var m in r.Members)
        {
            Line("ID", Rows.Num(m.ID));
            Line("Name", GoText.Quote(m.Name));
            foreach (var url in m.PeerURLs)
            {
                Line("PeerURL", GoText.Quote(url));
            }

            foreach (var url in m.ClientURLs)
            {
                Line("ClientURL", GoText.Quote(url));
            }

            Line("IsLearner", Bool(m.IsLearner));
            Console.WriteLine();
        }
    }

    public override void EndpointHealth(IReadOnlyList<EndpointHealth> list)
    {
        foreach (var h in list)
        {
            Line("Endpoint", GoText.Quote(h.Endpoint));
            Line("Health", Bool(h.Health));
            Line("Took", h.Took);
            Line("Error", h.Error);
            Console.WriteLine();
        }
    }

    public override void EndpointStatus(IReadOnlyList<EndpointStatus> list)
    {
        foreach (var s in list)
        {
            var st = s.Status;
            Header(st.Header);
            Line("Version", GoText.Quote(st.Version));
            Line("DBSize", Rows.Num(st.DbSize));
            Line("Leader", Rows.Num(st.Leader));
            Line("IsLearner", Bool(st.IsLearner));
            Line("RaftIndex", Rows.Num(st.RaftIndex));
            Line("RaftTerm", Rows.Num(st.RaftTerm));
            Line("RaftAppliedIndex", Rows.Num(st.RaftAppliedIndex));
            Line("Errors", GoText.Slice(st.Errors));
            Line("Endpoint", GoText.Quote(s.Endpoint));
            Console.WriteLine();
        }
    }

    public override void EndpointHashKv(IReadOnlyList<EndpointHashKv> list)
    {
        foreach (var h in list)
        {
            Header(h.HashKv.Header);
            Line("Endpoint", GoText.Quote(h.Endpoint));
            Line("Hash", Rows.Num(h.HashKv.Hash));
            Console.WriteLine();
        }
    }

    public override void Alarm(AlarmResponse r)
    {
        Header(r.Header);
        foreach (var a in r.Alarms)
        {
            Line("MemberID", Rows.Num(a.MemberID));
            Line("AlarmType", SimplePrinter.AlarmName(a.Alarm));
            Console.WriteLine();
        }
    }

    public override void DbStatus(SnapshotStatus status)
    {
        Line("Hash", Rows.Num(status.Hash));
        Line("Revision", Rows.Num(status.Revision));
        Line("Keys", Rows.Num(status.TotalKey));
        Line("Size", Rows.Num(status.TotalSize));
    }

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Header(r.Header);

    public override void RoleGet(string role, AuthRoleGetResponse r)
    {
        Header(r.Header);
        foreach (var p in r.Perm)
        {
            // etcdctl prints this one with Println's extra space after the colon.
            Console.WriteLine($"\"PermType\" :  {PermName(p.PermType)}");
            Line("Key", GoText.Quote(p.Key.Span));
            Line("RangeEnd", GoText.Quote(p.RangeEnd.Span));
        }
    }

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Header(r.Header);

    public override void RoleList(AuthRoleListResponse r)
    {
        Header(r.Header);
        Console.WriteLine("\"Roles\" :" + string.Concat(r.Roles.Select(role => " " + GoText.Quote(role))));
    }

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Header(r.Header);

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Header(r.Header);

    public override void UserAdd(string user, AuthUserAddResponse r) => Header(r.Header);

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Header(r.Header);

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Header(r.Header);

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Header(r.Header);

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Header(r.Header);

    public static string PermName(Permission.Types.Type type) => type switch
    {
        Permission.Types.Type.Read => "READ",
        Permission.Types.Type.Write => "WRITE",
        Permission.Types.Type.Readwrite => "READWRITE",
        _ => ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Bool(bool value) => value ? "true" : "false";

    private void Line(string name, string value) => Console.WriteLine($"\"{name}\" : {value}");

    /// <summary>A nil header in Go panics; Cairn and etcd always send one, so a missing one prints as zeros.</summary>
    private void Header(ResponseHeader? header)
    {
        header ??= new ResponseHeader();
        Line("ClusterID", Rows.Num(header.ClusterId));
        Line("MemberID", Rows.Num(header.MemberId));
        Line("Revision", Rows.Num(header.Revision));
        Line("RaftTerm", Rows.Num(header.RaftTerm));
    }

    private void Kv(string prefix, KeyValue kv)
    {
        Line(prefix + "Key", GoText.Quote(kv.Key.Span));
        Line(prefix + "CreateRevision", Rows.Num(kv.CreateRevision));
        Line(prefix + "ModRevision", Rows.Num(kv.ModRevision));
        Line(prefix + "Version", Rows.Num(kv.Version));
        Line(prefix + "Value", GoText.Quote(kv.Value.Span));
        Line(prefix + "Lease", Rows.Num(kv.Lease));
    }
}
