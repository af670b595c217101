using Grpc.Core;

namespace Cairn.Tests.Cluster;

/// <summary>
/// The answers etcd gives a request it cannot serve for want of a quorum: code Unavailable with one of its
/// "no leader" / "leader changed" / "request timed out" messages (the timeouts have variants such as "…, possibly due
/// to previous leader failure"), or the client's own deadline passing first (DeadlineExceeded). Clients retry these.
/// </summary>
internal static class EtcdUnavailable
{
    private static readonly string[] Messages = ["etcdserver: no leader", "etcdserver: leader changed", "etcdserver: request timed out"];

    public static bool IsExpected(Status status) =>
        status.StatusCode == StatusCode.DeadlineExceeded ||
        (status.StatusCode == StatusCode.Unavailable && Messages.Any(m => status.Detail.StartsWith(m, StringComparison.Ordinal)));
}
