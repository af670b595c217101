using System.Text;
using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Printers;

/// <summary>etcdctl's default "simple" format: keys and values on their own lines, one-line summaries elsewhere.</summary>
internal sealed class SimplePrinter(CtlConsole console, bool hex) : Printer("simple", console)
{
    /// <summary>--print-value-only: values without their keys.</summary>
    public bool ValueOnly { get; set; }

    public override void Del(DeleteRangeResponse r)
    {
        Console.WriteLine(Rows.Num(r.Deleted));
        foreach (var kv in r.PrevKvs)
        {
            PrintKv(kv);
        }
    }

    public override void Get(RangeResponse r)
    {
        foreach (var kv in r.Kvs)
        {
            PrintKv(kv);
        }
    }

    public override void Put(PutResponse r)
    {
        Console.WriteLine("OK");
        if (r.PrevKv is { } prev)
        {
            PrintKv(prev);
        }
    }

    public override void Txn(TxnResponse r)
    {
        Console.WriteLine(r.Succeeded ? "SUCCESS" : "FAILURE");
        foreach (var op in r.Responses)
        {
            Console.WriteLine();
            switch (op.ResponseCase)
            {
                case ResponseOp.ResponseOneofCase.ResponseDeleteRange: Del(op.ResponseDeleteRange); break;
                case ResponseOp.ResponseOneofCase.ResponsePut: Put(op.ResponsePut); break;
                case ResponseOp.ResponseOneofCase.ResponseRange: Get(op.ResponseRange); break;
                default: Console.WriteLine($"unexpected response {op}"); break;
            }
        }
    }

    public override void Watch(WatchResponse r)
    {
        foreach (var e in r.Events)
        {
            Console.WriteLine(e.Type == Event.Types.EventType.Put ? "PUT" : "DELETE");
            if (e.PrevKv is { } prev)
            {
                PrintKv(prev);
            }

            PrintKv(e.Kv ?? new KeyValue());
        }
    }

    public override void Grant(LeaseGrantResponse r) =>
        Console.WriteLine($"lease {GoText.LeaseHex(r.ID)} granted with TTL({r.TTL}s)");

    public override void Revoke(long id, LeaseRevokeResponse r) => Console.WriteLine($"lease {GoText.LeaseHex(id)} revoked");

    public override void KeepAlive(LeaseKeepAliveResponse r) =>
        Console.WriteLine($"lease {GoText.LeaseHex(r.ID)} keepalived with TTL({r.TTL})");

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys)
    {
        if (r.GrantedTTL == 0 && r.TTL == -1)
        {
            Console.WriteLine($"lease {GoText.LeaseHex(r.ID)} already expired");
            return;
        }

        var text = $"lease {GoText.LeaseHex(r.ID)} granted with TTL({r.GrantedTTL}s), remaining({r.TTL}s)";
        if (keys)
        {
            text += $", attached keys({GoText.Slice(r.Keys.Select(k => GoText.Utf8(k.Span)))})";
        }

        Console.WriteLine(text);
    }

    public override void Leases(LeaseLeasesResponse r)
    {
        Console.WriteLine($"found {r.Leases.Count} leases");
        foreach (var lease in r.Leases)
        {
            Console.WriteLine(GoText.LeaseHex(lease.ID));
        }
    }

    public override void Alarm(AlarmResponse r)
    {
        foreach (var alarm in r.Alarms)
        {
            // %+v of *pb.AlarmMember is its compact text form, trailing space included.
            var sb = new StringBuilder();
            if (alarm.MemberID != 0)
            {
                sb.Append("memberID:").Append(Rows.Num(alarm.MemberID)).Append(' ');
            }

            if (alarm.Alarm != AlarmType.None)
            {
                sb.Append("alarm:").Append(AlarmName(alarm.Alarm)).Append(' ');
            }

            Console.WriteLine(sb.ToString());
        }
    }

    public override void MemberAdd(MemberAddResponse r) =>
        Console.WriteLine($"Member {GoText.Hex16(r.Member?.ID ?? 0)} added to cluster {GoText.Hex16(r.Header?.ClusterId ?? 0)}");

    public override void MemberRemove(ulong id, MemberRemoveResponse r) =>
        Console.WriteLine($"Member {GoText.Hex16(id)} removed from cluster {GoText.Hex16(r.Header?.ClusterId ?? 0)}");

    public override void MemberUpdate(ulong id, MemberUpdateResponse r) =>
        Console.WriteLine($"Member {GoText.Hex16(id)} updated in cluster {GoText.Hex16(r.Header?.ClusterId ?? 0)}");

    public override void MemberPromote(ulong id, MemberPromoteResponse r) =>
        Console.WriteLine($"Member {GoText.Hex16(id)} promoted in cluster {GoText.Hex16(r.Header?.ClusterId ?? 0)}");

    public override void MemberList(MemberListResponse r) => JoinRows(Rows.MemberList(r).Rows);

    public override void EndpointHealth(IReadOnlyList<EndpointHealth> list)
    {
        foreach (var h in list)
        {
            Console.Error.WriteLine(h.Error.Length == 0
                ? $"{h.Endpoint} is healthy: successfully committed proposal: took = {h.Took}"
                : $"{h.Endpoint} is unhealthy: failed to commit proposal: {h.Error}");
        }
    }

    public override void EndpointStatus(IReadOnlyList<EndpointStatus> list) => JoinRows(Rows.EndpointStatus(list).Rows);

    public override void EndpointHashKv(IReadOnlyList<EndpointHashKv> list) => JoinRows(Rows.EndpointHashKv(list).Rows);

    public override void DbStatus(SnapshotStatus status) => JoinRows(Rows.DbStatus(status).Rows);

    public override void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) =>
        Console.WriteLine($"Leadership transferred from {GoText.Hex(leader)} to {GoText.Hex(target)}");

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Console.WriteLine($"Role {role} created");

    public override void RoleGet(string role, AuthRoleGetResponse r)
    {
        Console.WriteLine($"Role {role}");
        Console.WriteLine("KV Read:");
        foreach (var perm in r.Perm.Where(p => p.PermType is Permission.Types.Type.Read or Permission.Types.Type.Readwrite))
        {
            PrintPermission(perm);
        }

        Console.WriteLine("KV Write:");
        foreach (var perm in r.Perm.Where(p => p.PermType is Permission.Types.Type.Write or Permission.Types.Type.Readwrite))
        {
            PrintPermission(perm);
        }
    }

    public override void RoleList(AuthRoleListResponse r)
    {
        foreach (var role in r.Roles)
        {
            Console.WriteLine(role);
        }
    }

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Console.WriteLine($"Role {role} deleted");

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Console.WriteLine($"Role {role} updated");

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r)
    {
        if (end.Length == 0)
        {
            Console.WriteLine($"Permission of key {key} is revoked from role {role}");
        }
        else if (end != "\0")
        {
            Console.WriteLine($"Permission of range [{key}, {end}) is revoked from role {role}");
        }
        else
        {
            Console.WriteLine($"Permission of range [{key}, <open ended> is revoked from role {role}");
        }
    }

    public override void UserAdd(string user, AuthUserAddResponse r) => Console.WriteLine($"User {user} created");

    public override void UserGet(string user, AuthUserGetResponse r)
    {
        Console.WriteLine($"User: {user}");
        Console.WriteLine("Roles:" + string.Concat(r.Roles.Select(role => " " + role)));
    }

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Console.WriteLine("Password updated");

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) =>
        Console.WriteLine($"Role {role} is granted to user {user}");

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) =>
        Console.WriteLine($"Role {role} is revoked from user {user}");

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Console.WriteLine($"User {user} deleted");

    public override void UserList(AuthUserListResponse r)
    {
        foreach (var user in r.Users)
        {
            Console.WriteLine(user);
        }
    }

    /// <summary>The name of an alarm as gogo's enum String() gives it.</summary>
    public static string AlarmName(AlarmType type) => type switch
    {
        AlarmType.None => "NONE",
        AlarmType.Nospace => "NOSPACE",
        AlarmType.Corrupt => "CORRUPT",
        _ => ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private void PrintPermission(Permission perm)
    {
        var key = GoText.Utf8(perm.Key.Span);
        if (perm.RangeEnd.IsEmpty)
        {
            Console.WriteLine($"\t{key}");
            return;
        }

        var end = GoText.Utf8(perm.RangeEnd.Span);
        var text = end != "\0" ? $"\t[{key}, {end})" : $"\t[{key}, <open ended>";
        if (KeyRanges.PrefixEnd(perm.Key).Equals(perm.RangeEnd))
        {
            text += $" (prefix {key})";
        }

        Console.WriteLine(text);
    }

    private void PrintKv(KeyValue kv)
    {
        if (hex)
        {
            if (!ValueOnly)
            {
                Console.WriteLine(HexEscaped(kv.Key));
            }

            Console.WriteLine(HexEscaped(kv.Value));
            return;
        }

        // Raw bytes, as Go prints string(kv.Key).
        if (!ValueOnly)
        {
            Console.Write([.. kv.Key.Span, (byte)'\n']);
        }

        Console.Write([.. kv.Value.Span, (byte)'\n']);
    }

    /// <summary>--hex: every byte as \xNN.</summary>
    public static string HexEscaped(ByteString bytes) => string.Concat(bytes.Select(b => $"\\x{b:x2}"));

    private void JoinRows(IEnumerable<string[]> rows)
    {
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(", ", row));
        }
    }
}
