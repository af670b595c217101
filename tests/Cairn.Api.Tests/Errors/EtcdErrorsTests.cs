using System.Reflection;
using Cairn.Api.Errors;
using Grpc.Core;

namespace Cairn.Api.Tests.Errors;

/// <summary>
/// Pins every row of the error table to etcd's wire code and exact message (clients match the message string).
/// Checked against etcd 3.4.23 etcdserver/api/v3rpc/rpctypes/error.go + v3rpc/util.go and 3.5.17's equivalents;
/// the Unknown rows are what gRPC actually sends for errors etcd leaves unmapped or maps to its client-side type.
/// </summary>
public sealed class EtcdErrorsTests
{
    public static readonly TheoryData<string, StatusCode, string> Rows = new()
    {
        { nameof(EtcdErrors.EmptyKey), StatusCode.InvalidArgument, "etcdserver: key is not provided" },
        { nameof(EtcdErrors.KeyNotFound), StatusCode.InvalidArgument, "etcdserver: key not found" },
        { nameof(EtcdErrors.ValueProvided), StatusCode.InvalidArgument, "etcdserver: value is provided" },
        { nameof(EtcdErrors.LeaseProvided), StatusCode.InvalidArgument, "etcdserver: lease is provided" },
        { nameof(EtcdErrors.TooManyOps), StatusCode.InvalidArgument, "etcdserver: too many operations in txn request" },
        { nameof(EtcdErrors.DuplicateKey), StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request" },
        { nameof(EtcdErrors.Compacted), StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted" },
        { nameof(EtcdErrors.FutureRev), StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision" },
        { nameof(EtcdErrors.NoSpace), StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded" },
        { nameof(EtcdErrors.RequestTooLarge), StatusCode.InvalidArgument, "etcdserver: request is too large" },
        { nameof(EtcdErrors.TooManyRequests), StatusCode.Unknown, "etcdserver: too many requests" },
        { nameof(EtcdErrors.LeaseNotFound), StatusCode.NotFound, "etcdserver: requested lease not found" },
        { nameof(EtcdErrors.LeaseExist), StatusCode.FailedPrecondition, "etcdserver: lease already exists" },
        { nameof(EtcdErrors.LeaseTtlTooLarge), StatusCode.OutOfRange, "etcdserver: too large lease TTL" },
        { nameof(EtcdErrors.LeaseNotPrimary), StatusCode.Unknown, "not a primary lessor" },
        { nameof(EtcdErrors.MemberExist), StatusCode.FailedPrecondition, "etcdserver: member ID already exist" },
        { nameof(EtcdErrors.PeerUrlExist), StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists" },
        { nameof(EtcdErrors.MemberNotEnoughStarted), StatusCode.Unknown, "etcdserver: re-configuration failed due to not enough started members" },
        { nameof(EtcdErrors.MemberBadUrls), StatusCode.InvalidArgument, "etcdserver: given member URLs are invalid" },
        { nameof(EtcdErrors.MemberNotFound), StatusCode.NotFound, "etcdserver: member not found" },
        { nameof(EtcdErrors.MemberNotLearner), StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member" },
        { nameof(EtcdErrors.LearnerNotReady), StatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader" },
        { nameof(EtcdErrors.TooManyLearners), StatusCode.FailedPrecondition, "etcdserver: too many learner members in cluster" },
        { nameof(EtcdErrors.NoLeader), StatusCode.Unavailable, "etcdserver: no leader" },
        { nameof(EtcdErrors.NotLeader), StatusCode.FailedPrecondition, "etcdserver: not leader" },
        { nameof(EtcdErrors.LeaderChanged), StatusCode.Unavailable, "etcdserver: leader changed" },
        { nameof(EtcdErrors.Stopped), StatusCode.Unavailable, "etcdserver: server stopped" },
        { nameof(EtcdErrors.Timeout), StatusCode.Unavailable, "etcdserver: request timed out" },
        { nameof(EtcdErrors.TimeoutDueToLeaderFail), StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure" },
        { nameof(EtcdErrors.TimeoutDueToConnectionLost), StatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost" },
        { nameof(EtcdErrors.TimeoutWaitAppliedIndex), StatusCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long" },
        { nameof(EtcdErrors.TimeoutLeaderTransfer), StatusCode.Unknown, "etcdserver: request timed out, leader transfer took too long" },
        { nameof(EtcdErrors.Canceled), StatusCode.Unknown, "etcdserver: request cancelled" },
        { nameof(EtcdErrors.UnknownMethod), StatusCode.Unknown, "etcdserver: unknown method" },
        { nameof(EtcdErrors.Unhealthy), StatusCode.Unavailable, "etcdserver: unhealthy cluster" },
        { nameof(EtcdErrors.Corrupt), StatusCode.DataLoss, "etcdserver: corrupt cluster" },
        { nameof(EtcdErrors.NotSupportedForLearner), StatusCode.Unavailable, "etcdserver: rpc not supported for learner" },
        { nameof(EtcdErrors.BadLeaderTransferee), StatusCode.FailedPrecondition, "etcdserver: bad leader transferee" },
        { nameof(EtcdErrors.NotCapable), StatusCode.Unavailable, "etcdserver: not capable" },
        { nameof(EtcdErrors.ClusterVersionUnavailable), StatusCode.Unavailable, "etcdserver: cluster version not found during downgrade" },
        { nameof(EtcdErrors.WrongDowngradeVersionFormat), StatusCode.InvalidArgument, "etcdserver: wrong downgrade target version format" },
        { nameof(EtcdErrors.InvalidDowngradeTargetVersion), StatusCode.InvalidArgument, "etcdserver: invalid downgrade target version" },
        { nameof(EtcdErrors.DowngradeInProcess), StatusCode.FailedPrecondition, "etcdserver: cluster has a downgrade job in progress" },
        { nameof(EtcdErrors.NoInflightDowngrade), StatusCode.FailedPrecondition, "etcdserver: no inflight downgrade job" },
        { nameof(EtcdErrors.PermissionDenied), StatusCode.PermissionDenied, "etcdserver: permission denied" },
        { nameof(EtcdErrors.InvalidAuthToken), StatusCode.Unauthenticated, "etcdserver: invalid auth token" },
        { nameof(EtcdErrors.AuthFailed), StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password" },
        { nameof(EtcdErrors.AuthNotEnabled), StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled" },
        { nameof(EtcdErrors.UserEmpty), StatusCode.InvalidArgument, "etcdserver: user name is empty" },
        { nameof(EtcdErrors.UserAlreadyExist), StatusCode.FailedPrecondition, "etcdserver: user name already exists" },
        { nameof(EtcdErrors.UserNotFound), StatusCode.FailedPrecondition, "etcdserver: user name not found" },
        { nameof(EtcdErrors.RoleAlreadyExist), StatusCode.FailedPrecondition, "etcdserver: role name already exists" },
        { nameof(EtcdErrors.RoleNotFound), StatusCode.FailedPrecondition, "etcdserver: role name not found" },
        { nameof(EtcdErrors.RoleEmpty), StatusCode.InvalidArgument, "etcdserver: role name is empty" },
        { nameof(EtcdErrors.RootUserNotExist), StatusCode.FailedPrecondition, "etcdserver: root user does not exist" },
        { nameof(EtcdErrors.RootRoleNotExist), StatusCode.FailedPrecondition, "etcdserver: root user does not have root role" },
        { nameof(EtcdErrors.RoleNotGranted), StatusCode.FailedPrecondition, "etcdserver: role is not granted to the user" },
        { nameof(EtcdErrors.PermissionNotGranted), StatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role" },
        { nameof(EtcdErrors.PermissionNotGiven), StatusCode.InvalidArgument, "etcdserver: permission not given" },
        { nameof(EtcdErrors.InvalidAuthMgmt), StatusCode.InvalidArgument, "etcdserver: invalid auth management" },
        { nameof(EtcdErrors.AuthOldRevision), StatusCode.InvalidArgument, "etcdserver: revision of auth store is old" },
        { nameof(EtcdErrors.WatchCanceled), StatusCode.Cancelled, "etcdserver: watch canceled" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_MatchesEtcdCodeAndMessage(string name, StatusCode code, string message)
    {
        var row = ReadRow(name);

        Assert.Equal(code, row.Code);
        Assert.Equal(message, row.Message);
    }

    [Fact]
    public void Table_EveryRowIsPinned()
    {
        var pinned = Rows.Select(r => (string)r[0]).Order(StringComparer.Ordinal).ToArray();
        var declared = typeof(EtcdErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(EtcdError))
            .Select(f => f.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(declared, pinned);
    }

    [Fact]
    public void Table_MessagesAreUnique()
    {
        // Clients map errors back by message, so two rows must never share one.
        var messages = Rows.Select(r => (string)r[2]).ToArray();

        Assert.Equal(messages.Length, messages.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void ToRpcException_CarriesCodeAndExactMessage()
    {
        var ex = EtcdErrors.Compacted.ToRpcException();

        Assert.Equal(StatusCode.OutOfRange, ex.StatusCode);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", ex.Status.Detail);
    }

    [Fact]
    public void ToException_CarriesItsRow()
    {
        var ex = EtcdErrors.LeaseNotFound.ToException();

        Assert.Same(EtcdErrors.LeaseNotFound, ex.Error);
        Assert.Equal("etcdserver: requested lease not found", ex.Message);
    }

    [Fact]
    public void WatchCancelReasons_MatchEtcd()
    {
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", EtcdErrors.DuplicateWatchIdReason);
        Assert.Equal("mvcc: watcher range is empty", EtcdErrors.EmptyWatcherRangeReason);
        Assert.Equal("rpc error: code = PermissionDenied desc = etcdserver: permission denied", EtcdErrors.WatchPermissionDeniedReason);
        Assert.Equal("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token", EtcdErrors.WatchInvalidAuthTokenReason);
        Assert.Equal("rpc error: code = InvalidArgument desc = etcdserver: revision of auth store is old", EtcdErrors.WatchAuthOldRevisionReason);
        Assert.Equal("rpc error: code = InvalidArgument desc = etcdserver: user name is empty", EtcdErrors.WatchUserEmptyReason);
    }

    private static EtcdError ReadRow(string name)
    {
        var field = typeof(EtcdErrors).GetField(name, BindingFlags.Public | BindingFlags.Static);
        Assert.NotNull(field);
        return Assert.IsType<EtcdError>(field.GetValue(null));
    }
}
