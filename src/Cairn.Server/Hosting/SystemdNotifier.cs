using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Hosting;

/// <summary>
/// systemd's Type=notify readiness (sd_notify): sends "READY=1" as one datagram to the unix socket named by
/// $NOTIFY_SOCKET ('@' marks Linux's abstract namespace). Does nothing when the variable is unset.
/// </summary>
internal static class SystemdNotifier
{
    public static async Task<bool> NotifyAsync(string state, CancellationToken ct)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }
        if (path[0] == '@')
        {
            path = "\0" + path[1..];
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
        await socket.SendAsync(Encoding.UTF8.GetBytes(state), SocketFlags.None, ct).ConfigureAwait(false);
        return true;
    }
}
