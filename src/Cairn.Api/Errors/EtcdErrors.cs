using Grpc.Core;

namespace Cairn.Api.Errors;

/// <summary>
/// etcd's error table (api/v3rpc/rpctypes): every failure a client can see, with etcd's code and exact message.
/// Later features add their rows here; tests pin each row.
/// </summary>
/// <remarks>
/// Codes are the ones on the wire, checked against etcd 3.4.23 (etcdserver/api/v3rpc/rpctypes/error.go and
/// v3rpc/util.go) and 3.5.17 (api/v3rpc/rpctypes/error.go). Where etcd maps a server error to a client-side
/// rpctypes.EtcdError or leaves it unmapped, gRPC reports it as Unknown: those rows say Unknown on purpose.
/// Rows marked 3.5 do not exist in 3.4.
/// </remarks>
public static class EtcdErrors
{
    // KV and MVCC.
    public static readonly EtcdError EmptyKey = new(StatusCode.InvalidArgument, "etcdserver: key is not provided");
    public static readonly EtcdError KeyNotFound = new(StatusCode.InvalidArgument, "etcdserver: key not found");
    public static readonly EtcdError ValueProvided = new(StatusCode.InvalidArgument, "etcdserver: value is provided");
    public static readonly EtcdError LeaseProvided = new(StatusCode.InvalidArgument, "etcdserver: lease is provided");
    public static readonly EtcdError TooManyOps = new(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request");
    public static readonly EtcdError DuplicateKey = new(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
    public static readonly EtcdError Compacted = new(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
    public static readonly EtcdError FutureRev = new(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision");
    public static readonly EtcdError NoSpace = new(StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");
    public static readonly EtcdError RequestTooLarge = new(StatusCode.InvalidArgument, "etcdserver: request is too large");
    // rpctypes declares ResourceExhausted, but v3rpc returns the client-side error type, which gRPC sends as Unknown.
    public static readonly EtcdError TooManyRequests = new(StatusCode.Unknown, "etcdserver: too many requests");

    // Leases.
    public static readonly EtcdError LeaseNotFound = new(StatusCode.NotFound, "etcdserver: requested lease not found");
    public static readonly EtcdError LeaseExist = new(StatusCode.FailedPrecondition, "etcdserver: lease already exists");
    public static readonly EtcdError LeaseTtlTooLarge = new(StatusCode.OutOfRange, "etcdserver: too large lease TTL");
    // KeepAlive on a member that lost leadership mid-renewal (3.5 v3_server.go LeaseRenew); unmapped, so Unknown.
    public static readonly EtcdError LeaseNotPrimary = new(StatusCode.Unknown, "not a primary lessor");

    // Members.
    public static readonly EtcdError MemberExist = new(StatusCode.FailedPrecondition, "etcdserver: member ID already exist");
    public static readonly EtcdError PeerUrlExist = new(StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists");
    // The strict-reconfig check: v3rpc returns the client-side error type, which gRPC sends as Unknown.
    public static readonly EtcdError MemberNotEnoughStarted = new(StatusCode.Unknown, "etcdserver: re-configuration failed due to not enough started members");
    public static readonly EtcdError MemberBadUrls = new(StatusCode.InvalidArgument, "etcdserver: given member URLs are invalid");
    public static readonly EtcdError MemberNotFound = new(StatusCode.NotFound, "etcdserver: member not found");
    public static readonly EtcdError MemberNotLearner = new(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member");
    public static readonly EtcdError LearnerNotReady = new(StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
    public static readonly EtcdError TooManyLearners = new(StatusCode.FailedPrecondition, "etcdserver: too many learner members in cluster");

    // Raft and availability: clients retry on these.
    public static readonly EtcdError NoLeader = new(StatusCode.Unavailable, "etcdserver: no leader");
    public static readonly EtcdError NotLeader = new(StatusCode.FailedPrecondition, "etcdserver: not leader");
    public static readonly EtcdError LeaderChanged = new(StatusCode.Unavailable, "etcdserver: leader changed");
    public static readonly EtcdError Stopped = new(StatusCode.Unavailable, "etcdserver: server stopped");
    public static readonly EtcdError Timeout = new(StatusCode.Unavailable, "etcdserver: request timed out");
    public static readonly EtcdError TimeoutDueToLeaderFail = new(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure");
    public static readonly EtcdError TimeoutDueToConnectionLost = new(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost");
    public static readonly EtcdError TimeoutWaitAppliedIndex = new(StatusCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long");
    // MoveLeader that did not finish in time; unmapped in v3rpc, so Unknown.
    public static readonly EtcdError TimeoutLeaderTransfer = new(StatusCode.Unknown, "etcdserver: request timed out, leader transfer took too long");
    // A proposal whose caller went away (etcd's spelling); unmapped in v3rpc, so Unknown.
    public static readonly EtcdError Canceled = new(StatusCode.Unknown, "etcdserver: request cancelled");
    // Unknown Downgrade action; unmapped in v3rpc, so Unknown.
    public static readonly EtcdError UnknownMethod = new(StatusCode.Unknown, "etcdserver: unknown method");
    public static readonly EtcdError Unhealthy = new(StatusCode.Unavailable, "etcdserver: unhealthy cluster");
    public static readonly EtcdError Corrupt = new(StatusCode.DataLoss, "etcdserver: corrupt cluster");
    public static readonly EtcdError NotSupportedForLearner = new(StatusCode.Unavailable, "etcdserver: rpc not supported for learner");
    public static readonly EtcdError BadLeaderTransferee = new(StatusCode.FailedPrecondition, "etcdserver: bad leader transferee");
    public static readonly EtcdError NotCapable = new(StatusCode.Unavailable, "etcdserver: not capable");

    // Downgrade (3.5).
    public static readonly EtcdError ClusterVersionUnavailable = new(StatusCode.Unavailable, "etcdserver: cluster version not found during downgrade");
    public static readonly EtcdError WrongDowngradeVersionFormat = new(StatusCode.InvalidArgument, "etcdserver: wrong downgrade target version format");
    public static readonly EtcdError InvalidDowngradeTargetVersion = new(StatusCode.InvalidArgument, "etcdserver: invalid downgrade target version");
    public static readonly EtcdError DowngradeInProcess = new(StatusCode.FailedPrecondition, "etcdserver: cluster has a downgrade job in progress");
    public static readonly EtcdError NoInflightDowngrade = new(StatusCode.FailedPrecondition, "etcdserver: no inflight downgrade job");

    // Auth.
    public static readonly EtcdError PermissionDenied = new(StatusCode.PermissionDenied, "etcdserver: permission denied");
    public static readonly EtcdError InvalidAuthToken = new(StatusCode.Unauthenticated, "etcdserver: invalid auth token");
    public static readonly EtcdError AuthFailed = new(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
    public static readonly EtcdError AuthNotEnabled = new(StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled");
    public static readonly EtcdError UserEmpty = new(StatusCode.InvalidArgument, "etcdserver: user name is empty");
    public static readonly EtcdError UserAlreadyExist = new(StatusCode.FailedPrecondition, "etcdserver: user name already exists");
    public static readonly EtcdError UserNotFound = new(StatusCode.FailedPrecondition, "etcdserver: user name not found");
    public static readonly EtcdError RoleAlreadyExist = new(StatusCode.FailedPrecondition, "etcdserver: role name already exists");
    public static readonly EtcdError RoleNotFound = new(StatusCode.FailedPrecondition, "etcdserver: role name not found");
    public static readonly EtcdError RoleEmpty = new(StatusCode.InvalidArgument, "etcdserver: role name is empty");
    public static readonly EtcdError RootUserNotExist = new(StatusCode.FailedPrecondition, "etcdserver: root user does not exist");
    public static readonly EtcdError RootRoleNotExist = new(StatusCode.FailedPrecondition, "etcdserver: root user does not have root role");
    public static readonly EtcdError RoleNotGranted = new(StatusCode.FailedPrecondition, "etcdserver: role is not granted to the user");
    public static readonly EtcdError PermissionNotGranted = new(StatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role");
    // RoleGrantPermission without a permission (3.5).
    public static readonly EtcdError PermissionNotGiven = new(StatusCode.InvalidArgument, "etcdserver: permission not given");
    public static readonly EtcdError InvalidAuthMgmt = new(StatusCode.InvalidArgument, "etcdserver: invalid auth management");
    public static readonly EtcdError AuthOldRevision = new(StatusCode.InvalidArgument, "etcdserver: revision of auth store is old");

    // Watch stream.
    // Ends a Watch stream whose context was canceled on the server side.
    public static readonly EtcdError WatchCanceled = new(StatusCode.Cancelled, "etcdserver: watch canceled");

    // Watch in-band cancel reasons (WatchResponse.cancel_reason with created = canceled = true, not gRPC statuses).
    public const string DuplicateWatchIdReason = "mvcc: duplicate watch ID provided on the WatchStream";
    // key >= range_end (range_end not empty and not "\0").
    public const string EmptyWatcherRangeReason = "mvcc: watcher range is empty";
    // Auth refusals: etcd puts the whole Go status text (status.Err().Error()) in the reason, not just the message.
    public const string WatchPermissionDeniedReason = "rpc error: code = PermissionDenied desc = etcdserver: permission denied";
    public const string WatchInvalidAuthTokenReason = "rpc error: code = Unauthenticated desc = etcdserver: invalid auth token";
    public const string WatchAuthOldRevisionReason = "rpc error: code = InvalidArgument desc = etcdserver: revision of auth store is old";
    public const string WatchUserEmptyReason = "rpc error: code = InvalidArgument desc = etcdserver: user name is empty";
}
