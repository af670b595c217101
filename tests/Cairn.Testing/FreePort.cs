using System.Net;
using System.Net.Sockets;

namespace Cairn.Testing;

/// <summary>
/// Hands out loopback TCP ports that were free a moment ago. The OS picks the port (bind to 0); a port is never handed
/// out twice by this process, so two members of one test cannot collide with each other.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free loopback port after 100 attempts");
    }
}
