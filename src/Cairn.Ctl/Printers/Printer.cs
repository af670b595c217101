using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Printers;

/// <summary>
/// What each command prints, one method per response as in etcdctl's printer interface. Every method starts out
/// unsupported ("X not supported as output format", exit 4); each format overrides what it can print, matching the
/// set etcdctl 3.4 supports for that format.
/// </summary>
internal abstract class Printer(string format, CtlConsole console)
{
    public string Format { get; } = format;

    protected CtlConsole Console { get; } = console;

    /// <summary>Creates the printer for -w/--write-out; unknown formats fail as etcdctl fails them.</summary>
    public static Printer Create(string format, bool hex, CtlConsole console) => format switch
    {
        "simple" => new SimplePrinter(console, hex),
        "json" => new JsonPrinter(console),
        "fields" => new FieldsPrinter(console),
        "table" => new TablePrinter(console),
        "protobuf" => new ProtobufPrinter(console),
        _ => throw new CtlException(ExitCode.BadFeature, "unsupported output format"),
    };

    public virtual void Del(DeleteRangeResponse r) => Unsupported();

    public virtual void Get(RangeResponse r) => Unsupported();

    public virtual void Put(PutResponse r) => Unsupported();

    public virtual void Txn(TxnResponse r) => Unsupported();

    public virtual void Watch(WatchResponse r) => Unsupported();

    public virtual void Grant(LeaseGrantResponse r) => Unsupported();

    public virtual void Revoke(long id, LeaseRevokeResponse r) => Unsupported();

    public virtual void KeepAlive(LeaseKeepAliveResponse r) => Unsupported();

    public virtual void TimeToLive(LeaseTimeToLiveResponse r, bool keys) => Unsupported();

    public virtual void Leases(LeaseLeasesResponse r) => Unsupported();

    public virtual void MemberAdd(MemberAddResponse r) => Unsupported();

    public virtual void MemberRemove(ulong id, MemberRemoveResponse r) => Unsupported();

    public virtual void MemberUpdate(ulong id, MemberUpdateResponse r) => Unsupported();

    public virtual void MemberPromote(ulong id, MemberPromoteResponse r) => Unsupported();

    public virtual void MemberList(MemberListResponse r) => Unsupported();

    public virtual void EndpointHealth(IReadOnlyList<EndpointHealth> list) => Unsupported();

    public virtual void EndpointStatus(IReadOnlyList<EndpointStatus> list) => Unsupported();

    public virtual void EndpointHashKv(IReadOnlyList<EndpointHashKv> list) => Unsupported();

    public virtual void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) => Unsupported();

    public virtual void Alarm(AlarmResponse r) => Unsupported();

    public virtual void DbStatus(SnapshotStatus status) => Unsupported();

    public virtual void RoleAdd(string role, AuthRoleAddResponse r) => Unsupported();

    public virtual void RoleGet(string role, AuthRoleGetResponse r) => Unsupported();

    public virtual void RoleDelete(string role, AuthRoleDeleteResponse r) => Unsupported();

    public virtual void RoleList(AuthRoleListResponse r) => Unsupported();

    public virtual void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Unsupported();

    public virtual void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Unsupported();

    public virtual void UserAdd(string user, AuthUserAddResponse r) => Unsupported();

    public virtual void UserGet(string user, AuthUserGetResponse r) => Unsupported();

    public virtual void UserList(AuthUserListResponse r) => Unsupported();

    public virtual void UserChangePassword(AuthUserChangePasswordResponse r) => Unsupported();

    public virtual void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Unsupported();

    public virtual void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Unsupported();

    public virtual void UserDelete(string user, AuthUserDeleteResponse r) => Unsupported();

    protected void Unsupported() => throw new CtlException(ExitCode.BadFeature, $"{Format} not supported as output format");
}
