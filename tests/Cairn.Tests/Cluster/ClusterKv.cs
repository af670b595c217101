using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Tests.Cluster;

/// <summary>Single-key puts and reads with explicit deadlines, as the cluster scenarios issue them.</summary>
internal static class ClusterKv
{
    public static Task<PutResponse> PutAsync(EtcdClient client, string key, string value, TimeSpan deadline) =>
        client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) }, deadline: DateTime.UtcNow + deadline).ResponseAsync;

    /// <summary>The value of <paramref name="key"/> (null when absent); linearizable unless <paramref name="serializable"/>.</summary>
    public static async Task<string?> GetAsync(EtcdClient client, string key, bool serializable, TimeSpan deadline)
    {
        var range = await client.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key), Serializable = serializable }, deadline: DateTime.UtcNow + deadline);
        return range.Kvs.Count == 0 ? null : range.Kvs[0].Value.ToStringUtf8();
    }

    /// <summary>A serializable read that answers null when the member does not answer (yet): for polling.</summary>
    public static async Task<string?> LocalValueOrNullAsync(EtcdClient client, string key)
    {
        try
        {
            return await GetAsync(client, key, serializable: true, TimeSpan.FromSeconds(2));
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>Polls serializable reads on <paramref name="member"/> until <paramref name="key"/> holds <paramref name="value"/>.</summary>
    public static async Task WaitLocalValueAsync(ProcessMember member, string key, string value, TimeSpan timeout)
    {
        using var client = member.CreateClient();
        await Wait.UntilAsync(
            async _ => await LocalValueOrNullAsync(client, key) == value,
            timeout,
            $"{member.Name} to hold {key}={value} (serializable read)");
    }
}
