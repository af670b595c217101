using Cairn.Api.Etcdserverpb;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Hosting;

/// <summary>The HTTP/1.1 endpoints etcd serves on the client port: /health, /version and the v2 members API.</summary>
internal static class HttpEndpoints
{
    public static void MapEtcdHttp(this IEndpointRouteBuilder app, EtcdServer server)
    {
        app.MapV2Members(server);
        app.MapGet("/version", () => Results.Text(
            $$"""{"etcdserver":"{{ServerVersion.Etcd}}","etcdcluster":"{{ServerVersion.EtcdCluster}}"}""",
            "application/json"));

        // etcd checks alarms, then the leader, then a keys-only Range with limit 1 (serializable when asked).
        app.MapGet("/health", async (HttpContext http) =>
        {
            var (healthy, reason) = await CheckHealthAsync(server, http.RequestAborted).ConfigureAwait(false);
            http.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(
                $$"""{"health":"{{(healthy ? "true" : "false")}}","reason":"{{reason}}"}""", http.RequestAborted)
                .ConfigureAwait(false);
        });
    }

    private static async Task<(bool Healthy, string Reason)> CheckHealthAsync(EtcdServer server, CancellationToken ct)
    {
        if (server.LeaderId == 0)
        {
            return (false, "RAFT NO LEADER");
        }
        try
        {
            var probe = new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("health"), Limit = 1, KeysOnly = true };
            await server.RangeAsync(probe, ct).ConfigureAwait(false);
            return (true, "");
        }
        catch (Api.Errors.EtcdException e)
        {
            return (false, e.Message);
        }
    }
}
