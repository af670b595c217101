using System.Text.Json.Serialization;
using Cairn.Server.Membership;
using Cairn.Server.Peer.Peerpb;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Hosting;

/// <summary>
/// The v2 members API that etcdctl's v2 mode reads (`cluster-health`, `member list`): etcd 3.4 dropped it from
/// the client port, which breaks the guide's health check; Cairn serves it. IDs are lowercase hex without padding.
/// </summary>
internal static class V2Endpoints
{
    public static void MapV2Members(this IEndpointRouteBuilder app, EtcdServer server)
    {
        app.MapGet("/v2/members", () => Json(new V2MemberList([.. server.Members.Select(ToV2)])));
        app.MapGet("/v2/members/leader", () =>
        {
            var leader = server.Members.FirstOrDefault(m => m.Id == server.LeaderId);
            return leader is null
                ? Results.Json(new V2Error("no leader"), V2Json.Default.V2Error, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Json(ToV2(leader));
        });
    }

    private static IResult Json(V2MemberList list) => Results.Json(list, V2Json.Default.V2MemberList);

    private static IResult Json(V2Member member) => Results.Json(member, V2Json.Default.V2Member);

    private static V2Member ToV2(MemberInfo m) =>
        new(MemberIds.ToHex(m.Id), m.Name, [.. m.PeerUrls], [.. m.ClientUrls]);
}

internal sealed record V2Member(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("peerURLs")] string[] PeerURLs,
    [property: JsonPropertyName("clientURLs")] string[] ClientURLs);

internal sealed record V2MemberList([property: JsonPropertyName("members")] V2Member[] Members);

internal sealed record V2Error([property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(V2MemberList))]
[JsonSerializable(typeof(V2Member))]
[JsonSerializable(typeof(V2Error))]
internal sealed partial class V2Json : JsonSerializerContext;
