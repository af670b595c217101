using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Tests.Deploy;

/// <summary>systemd's side of Type=notify: a unix datagram socket whose path goes in NOTIFY_SOCKET; collects messages.</summary>
public sealed class NotifySocket : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _receive = ReceiveAsync(_stop.Token);
    }

    public string Path { get; }

    public IReadOnlyList<string> Messages => [.. _messages];

    private async Task ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                _messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _receive.WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        File.Delete(Path);
    }
}
