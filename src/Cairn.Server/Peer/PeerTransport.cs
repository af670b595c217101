using System.Collections.Concurrent;
using System.Net;
using Cairn.Raft.Raftpb;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Peer;

/// <summary>
/// Routes the raft loop's outgoing messages to one <see cref="PeerSender"/> per peer. Peers come and go with
/// membership changes. Sending never blocks.
/// </summary>
internal sealed class PeerTransport(IPeerHandler handler, ILoggerFactory loggers, Hosting.TlsSetup? peerTls = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, PeerSender> peers = new();
    private readonly ILogger logger = loggers.CreateLogger("cairn.peer");

    public void AddPeer(ulong id, IReadOnlyList<string> peerUrls)
    {
        if (id == handler.MemberId || peerUrls.Count == 0 || peers.ContainsKey(id))
        {
            return;
        }
        peers[id] = new PeerSender(id, new Uri(peerUrls[0]), handler, url => Connect(url, peerTls), logger);
    }

    public async Task RemovePeerAsync(ulong id)
    {
        if (peers.TryRemove(id, out var sender))
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task UpdatePeerAsync(ulong id, IReadOnlyList<string> peerUrls)
    {
        await RemovePeerAsync(id).ConfigureAwait(false);
        AddPeer(id, peerUrls);
    }

    public void Send(IReadOnlyList<Message> messages)
    {
        foreach (var m in messages)
        {
            if (peers.TryGetValue(m.To, out var sender))
            {
                sender.Send(m);
            }
        }
    }

    /// <summary>One HTTP/2 connection per peer (h2c for http://), with keepalive pings to notice dead peers.</summary>
    public static GrpcChannel Connect(Uri url, Hosting.TlsSetup? peerTls = null)
    {
        var handler = peerTls?.PeerClientHandler() ?? new SocketsHttpHandler();
        handler.ConnectTimeout = TimeSpan.FromSeconds(1);
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(5);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        handler.EnableMultipleHttp2Connections = true;
        handler.PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan;
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = handler,
            HttpVersion = HttpVersion.Version20,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in peers.Keys)
        {
            await RemovePeerAsync(id).ConfigureAwait(false);
        }
    }
}
