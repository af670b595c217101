using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Google.Protobuf;

namespace Cairn.Ctl.Printers;

/// <summary>
/// etcdctl's "protobuf" format: the response's wire bytes, no newline. The lease responses that clientv3 wraps in its
/// own structs marshal only their embedded header (Go promotes the header's Marshal), and revoke's cannot be
/// marshalled at all; both quirks are kept so scripts see the same bytes.
/// </summary>
internal sealed class ProtobufPrinter(CtlConsole console) : Printer("protobuf", console)
{
    public override void Del(DeleteRangeResponse r) => Print(r);

    public override void Get(RangeResponse r) => Print(r);

    public override void Put(PutResponse r) => Print(r);

    public override void Txn(TxnResponse r) => Print(r);

    public override void Watch(WatchResponse r) => Print(new WatchResponse
    {
        Header = r.Header ?? new ResponseHeader(),
        Events = { r.Events },
        CompactRevision = r.CompactRevision,
        Canceled = r.Canceled,
        Created = r.Created,
    });

    public override void Grant(LeaseGrantResponse r) => Print(r.Header);

    public override void Revoke(long id, LeaseRevokeResponse r) =>
        throw new CtlException(ExitCode.BadFeature, $"marshal unsupported for type clientv3.LeaseRevokeResponse ({r})");

    public override void KeepAlive(LeaseKeepAliveResponse r) => Print(r.Header);

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys) => Print(r.Header);

    public override void Leases(LeaseLeasesResponse r) => Print(r.Header);

    public override void MemberAdd(MemberAddResponse r) => Print(r);

    public override void MemberRemove(ulong id, MemberRemoveResponse r) => Print(r);

    public override void MemberUpdate(ulong id, MemberUpdateResponse r) => Print(r);

    public override void MemberPromote(ulong id, MemberPromoteResponse r) => Print(r);

    public override void MemberList(MemberListResponse r) => Print(r);

    public override void Alarm(AlarmResponse r) => Print(r);

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

    private void Print(IMessage? message) => Console.Write(message?.ToByteArray() ?? []);
}
