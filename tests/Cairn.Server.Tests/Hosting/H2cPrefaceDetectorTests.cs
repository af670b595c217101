using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// The connection middleware that tells h2c (prior knowledge) from HTTP/1.1 on one cleartext port by peeking at the
/// first bytes, without consuming them.
/// </summary>
public sealed class H2cPrefaceDetectorTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly byte[] Settings = [0, 0, 0, 0x4, 0, 0, 0, 0, 0];

    private sealed class Connection
    {
        public Pipe Wire { get; } = new();

        public DefaultConnectionContext Context { get; }

        public TaskCompletionSource<ConnectionContext> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Connection() => Context = new DefaultConnectionContext("test") { Transport = new Duplex(Wire.Reader, new Pipe().Writer) };

        public Task RunAsync() => H2cPrefaceDetector.OnConnectionAsync(Context, c =>
        {
            Next.SetResult(c);
            return Task.CompletedTask;
        });

        public async Task SendAsync(byte[] bytes) => await Wire.Writer.WriteAsync(bytes);
    }

    private static bool LooksLikeH2(ConnectionContext c) =>
        c.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8);

    private static async Task<byte[]> ReadAtLeastAsync(PipeReader reader, int count)
    {
        var result = await reader.ReadAtLeastAsync(count).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var bytes = result.Buffer.Slice(0, count).ToArray();
        reader.AdvanceTo(result.Buffer.GetPosition(count));
        return bytes;
    }

    [Fact]
    public async Task OnConnection_Preface_MarksTheConnectionH2AndConsumesNothing()
    {
        var conn = new Connection();
        await conn.SendAsync([.. Preface, .. Settings]);
        await conn.RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var next = await conn.Next.Task;
        Assert.True(LooksLikeH2(next));
        Assert.NotNull(next.Features.Get<ITlsConnectionFeature>());
        Assert.Equal(Preface.Concat(Settings).ToArray(), await ReadAtLeastAsync(next.Transport.Input, Preface.Length + Settings.Length));
    }

    [Fact]
    public async Task OnConnection_PrefaceInPieces_WaitsForTheWholePreface()
    {
        var conn = new Connection();
        await conn.SendAsync(Preface[..10]);
        // With data buffered the detector decides synchronously; on a partial preface it must be waiting instead.
        var run = conn.RunAsync();
        Assert.False(conn.Next.Task.IsCompleted);
        await conn.SendAsync(Preface[10..20]);
        await conn.SendAsync([.. Preface[20..], .. Settings]);
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        var next = await conn.Next.Task;
        Assert.True(LooksLikeH2(next));
        Assert.Equal(Preface.Concat(Settings).ToArray(), await ReadAtLeastAsync(next.Transport.Input, Preface.Length + Settings.Length));
    }

    [Fact]
    public async Task OnConnection_Http11Request_LeftAsIs()
    {
        var conn = new Connection();
        var request = Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await conn.SendAsync(request);
        await conn.RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var next = await conn.Next.Task;
        Assert.False(LooksLikeH2(next));
        Assert.Null(next.Features.Get<ITlsConnectionFeature>());
        Assert.Same(conn.Wire.Reader, next.Transport.Input);
        Assert.Equal(request, await ReadAtLeastAsync(next.Transport.Input, request.Length));
    }

    /// <summary>A request that starts like the preface but diverges is decided at the first differing byte.</summary>
    [Fact]
    public async Task OnConnection_DivergesFromThePreface_DecidedWithoutWaiting()
    {
        var conn = new Connection();
        var almost = Encoding.ASCII.GetBytes("PRI * HTTP/1.1");
        await conn.SendAsync(almost);
        await conn.RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(LooksLikeH2(await conn.Next.Task));
        Assert.Equal(almost, await ReadAtLeastAsync(conn.Context.Transport.Input, almost.Length));
    }

    [Fact]
    public async Task OnConnection_ClientClosesMidPreface_NotH2()
    {
        var conn = new Connection();
        await conn.SendAsync(Preface[..5]);
        await conn.Wire.Writer.CompleteAsync();
        await conn.RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(LooksLikeH2(await conn.Next.Task));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
