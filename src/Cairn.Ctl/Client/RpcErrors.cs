using Cairn.Ctl.Cli;
using Grpc.Core;

namespace Cairn.Ctl.Client;

/// <summary>
/// Turns a failed call into the text clientv3 shows: etcd's own errors by their message (clientv3 maps each known
/// "etcdserver: ..." status to an error whose text is that message), deadlines as Go's context errors, and anything
/// else as grpc-go's "rpc error: code = X desc = Y".
/// </summary>
internal static class RpcErrors
{
    public static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.DeadlineExceeded => "context deadline exceeded",
        StatusCode.Cancelled => "context canceled",
        _ when e.Status.Detail.StartsWith("etcdserver: ", StringComparison.Ordinal) || e.Status.Detail.StartsWith("mvcc: ", StringComparison.Ordinal)
            || e.Status.Detail.StartsWith("auth: ", StringComparison.Ordinal) => e.Status.Detail,
        _ => $"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}",
    };

    /// <summary>An etcdctl error for a failed call: <c>Error: {description}</c>, exit 1 unless told otherwise.</summary>
    public static CtlException ToCtl(RpcException e, int exitCode = ExitCode.Error) => new(exitCode, Describe(e), e);

    /// <summary>True when the server's message is <paramref name="message"/> (clientv3 compares errors by message).</summary>
    public static bool Is(RpcException e, string message) => e.Status.Detail == message;
}
