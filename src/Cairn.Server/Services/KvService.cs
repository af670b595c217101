using Cairn.Api.Etcdserverpb;
using Grpc.Core;

namespace Cairn.Server.Services;

/// <summary>etcdserverpb.KV: check the request, call the member, fill the header (errors map in ErrorInterceptor).</summary>
internal sealed class KvService(EtcdServer server) : KV.KVBase
{
    public override async Task<RangeResponse> Range(RangeRequest request, ServerCallContext context)
    {
        var resp = await server.RangeAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override async Task<PutResponse> Put(PutRequest request, ServerCallContext context)
    {
        var resp = await server.PutAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override async Task<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request, ServerCallContext context)
    {
        var resp = await server.DeleteRangeAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override async Task<TxnResponse> Txn(TxnRequest request, ServerCallContext context)
    {
        var resp = await server.TxnAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }

    public override async Task<CompactionResponse> Compact(CompactionRequest request, ServerCallContext context)
    {
        var resp = await server.CompactAsync(request, context.CancellationToken).ConfigureAwait(false);
        resp.Header = server.Fill(resp.Header);
        return resp;
    }
}
