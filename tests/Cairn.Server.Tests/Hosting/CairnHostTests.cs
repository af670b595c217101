using System.Net;
using System.Text.Json;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Configuration;
using Cairn.Server.Hosting;
using Cairn.Testing;
using static Cairn.Server.Tests.Ops;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// The member hosted in-process by <see cref="CairnHost.RunAsync"/> on free loopback ports: one cleartext client port
/// serves gRPC over h2c and HTTP/1.1, and the caller's token stops it.
/// </summary>
[Collection("Processes")]
public sealed class CairnHostTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _run;

    private Uri ClientUrl { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    private Uri PeerUrl { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    private string Endpoint => ClientUrl.GetLeftPart(UriPartial.Authority);

    private Task<int> Run => _run ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var peer = PeerUrl.GetLeftPart(UriPartial.Authority);
        var config = new ServerConfig
        {
            Name = "host-test",
            DataDir = _dir.Sub("data"),
            ListenClientUrls = [ClientUrl],
            AdvertiseClientUrls = [ClientUrl],
            ListenPeerUrls = [PeerUrl],
            InitialAdvertisePeerUrls = [new Uri(peer)],
            InitialCluster = [new("host-test", [new Uri(peer)])],
            InitialClusterToken = "host-test",
        };
        _run = Task.Run(() => CairnHost.RunAsync(config, _ => { }, _stop.Token));
        using var http = Http11();
        await Wait.UntilAsync(
            async ct =>
            {
                if (Run.IsCompleted)
                {
                    throw new InvalidOperationException($"the host stopped while starting: {(Run.IsFaulted ? Run.Exception : Run.Result)}");
                }
                try
                {
                    using var resp = await http.GetAsync(Endpoint + "/health", ct);
                    return resp.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30), "the in-process member to answer /health");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        _stop.Dispose();
        _dir.Dispose();
    }

    private static HttpClient Http11() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact(Timeout = 60_000)]
    public async Task OnePort_ServesGrpcOverH2c_AndHttp11()
    {
        using var client = EtcdClient.Create(ClientUrl);
        var put = await client.KV.PutAsync(new PutRequest { Key = B("k"), Value = B("v") });
        var range = await client.KV.RangeAsync(new RangeRequest { Key = B("k") });
        Assert.Equal("v", S(range.Kvs.Single().Value));
        Assert.Equal(put.Header.Revision, range.Header.Revision);
        Assert.Equal(Cairn.Server.Membership.MemberIds.ComputeMemberId([PeerUrl.GetLeftPart(UriPartial.Authority)], "host-test"), range.Header.MemberId);
        Assert.NotEqual(0UL, range.Header.ClusterId);
        Assert.NotEqual(0UL, range.Header.RaftTerm);

        using var http = Http11();
        using var health = await http.GetAsync(Endpoint + "/health");
        Assert.Equal(HttpVersion.Version11, health.Version);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"health":"true","reason":""}""", await health.Content.ReadAsStringAsync());
        using var version = await http.GetAsync(Endpoint + "/version");
        Assert.Equal("""{"etcdserver":"3.5.17","etcdcluster":"3.5.0"}""", await version.Content.ReadAsStringAsync());

        // The gRPC channel still works after HTTP/1.1 traffic on the same port.
        var again = await client.KV.RangeAsync(new RangeRequest { Key = B("k"), CountOnly = true });
        Assert.Equal(1, again.Count);
    }

    /// <summary>Expected failures reach the client as etcd's gRPC status: its code and exact message.</summary>
    [Fact(Timeout = 60_000)]
    public async Task Errors_ReachTheClientAsEtcdStatuses()
    {
        using var client = EtcdClient.Create(ClientUrl);
        var tooLarge = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await client.KV.PutAsync(new PutRequest { Key = B("big"), Value = Google.Protobuf.ByteString.CopyFrom(new byte[1_600_000]) }));
        Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, "etcdserver: request is too large"), (tooLarge.StatusCode, tooLarge.Status.Detail));

        var duplicate = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await client.KV.TxnAsync(Txn(success: [Put("a"), Put("a")])));
        Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request"), (duplicate.StatusCode, duplicate.Status.Detail));

        var future = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await client.KV.RangeAsync(new RangeRequest { Key = B("a"), Revision = 1_000_000 }));
        Assert.Equal((Grpc.Core.StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision"), (future.StatusCode, future.Status.Detail));
    }

    /// <summary>etcdctl 3.4 (grpc-go) sends ":authority: http://host:port"; the rewriter lets Kestrel accept it.</summary>
    [Fact(Timeout = 90_000)]
    public async Task RealEtcdctl_PutGetAndEndpointStatus()
    {
        var etcdctl = new Etcdctl(Endpoint);
        await etcdctl.SucceedAsync("put", "from-etcdctl", "yes");
        var get = await etcdctl.SucceedAsync("get", "from-etcdctl", "--print-value-only");
        Assert.Equal("yes", get.Lines.Single());
        var status = await etcdctl.SucceedAsync("endpoint", "status", "-w", "json");
        using var json = JsonDocument.Parse(status.Stdout);
        Assert.Equal("3.5.17", json.RootElement[0].GetProperty("Status").GetProperty("version").GetString());
    }

    /// <summary>
    /// A hand-written h2c request whose :authority is "http://host:port" (what grpc-go sends for a passthrough
    /// target): Kestrel alone would reset the stream; with the rewriter the call is answered.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task H2cRequestWithSchemeInAuthority_IsAnswered()
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(ClientUrl.Host, ClientUrl.Port);
        var stream = socket.GetStream();
        var block = Hpack.Block(
            Hpack.Indexed(3),                                           // :method POST
            Hpack.Indexed(6),                                           // :scheme http
            Hpack.WithoutIndexing(4, "/etcdserverpb.Maintenance/Status"),
            Hpack.WithoutIndexing(1, Endpoint),                         // :authority http://127.0.0.1:port
            Hpack.WithoutIndexing(31, "application/grpc"),
            Hpack.NewName(0x00, "te", "trailers"));
        byte[] request =
        [
            .. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8,
            .. Hpack.Frame(0x4, 0, 0, []),                              // SETTINGS
            .. Hpack.HeadersFrame(block, flags: Hpack.EndHeaders, streamId: 1),
            .. Hpack.Frame(0x0, Hpack.EndStream, 1, [0, 0, 0, 0, 0]),   // an empty StatusRequest
        ];
        await stream.WriteAsync(request);

        // Read frames until stream 1 is answered (HEADERS), reset (RST_STREAM) or the connection goes away.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var type = header[3];
            var streamId = ((header[5] & 0x7f) << 24) | (header[6] << 16) | (header[7] << 8) | header[8];
            await stream.ReadExactlyAsync(new byte[length], timeout.Token);
            Assert.NotEqual(0x7, type);                                 // GOAWAY
            if (streamId == 1)
            {
                Assert.True(type == Hpack.Headers, $"stream 1 got frame type {type} instead of HEADERS (3 is RST_STREAM)");
                return;
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task CancellingTheToken_StopsTheHost()
    {
        await _stop.CancelAsync();
        Assert.Equal(0, await Run.WaitAsync(TimeSpan.FromSeconds(30)));
        using var http = Http11();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(Endpoint + "/health"));
    }
}
