using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Cairn.Server.Services;

/// <summary>
/// Turns an <see cref="EtcdException"/> from any handler into etcd's gRPC status (code and exact message), and
/// refuses what a learner may not serve: only Status and serializable Range, as in etcd.
/// </summary>
internal sealed class ErrorInterceptor(EtcdServer server) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            if (context.Method.StartsWith("/etcdserverpb.", StringComparison.Ordinal) && server.IsLearner
                && !(request is StatusRequest || request is RangeRequest { Serializable: true }))
            {
                throw EtcdErrors.NotSupportedForLearner.ToException();
            }
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            throw e.Error.ToRpcException();
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            if (context.Method.StartsWith("/etcdserverpb.", StringComparison.Ordinal) && server.IsLearner)
            {
                throw EtcdErrors.NotSupportedForLearner.ToException();
            }
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            throw e.Error.ToRpcException();
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            throw e.Error.ToRpcException();
        }
    }
}
