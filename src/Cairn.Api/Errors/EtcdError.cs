using Grpc.Core;

namespace Cairn.Api.Errors;

/// <summary>
/// One row of etcd's error table: the gRPC status code and the exact message clients match on
/// (clientv3 and Kubernetes compare message strings, and retry only on Unavailable).
/// </summary>
public sealed record EtcdError(StatusCode Code, string Message)
{
    public RpcException ToRpcException() => new(new Status(Code, Message));

    public EtcdException ToException() => new(this);
}

/// <summary>An expected failure carrying its row of <see cref="EtcdErrors"/>; the gRPC layer maps it to a status.</summary>
public sealed class EtcdException(EtcdError error) : Exception(error.Message)
{
    public EtcdError Error { get; } = error;
}
