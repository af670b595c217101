namespace Cairn.Testing;

/// <summary>
/// Where one member lives: its --name, client URL and peer URL. A layout (one per member) lets a second cluster start
/// on exactly the ports of a first one, e.g. real etcd first and then the server under test, to compare derived IDs.
/// </summary>
public sealed record MemberAddress(string Name, Uri ClientUrl, Uri PeerUrl)
{
    /// <summary>A member named <paramref name="name"/> on two loopback ports that were free a moment ago.</summary>
    public static MemberAddress Fresh(string name) =>
        new(name, new Uri($"http://127.0.0.1:{FreePort.Next()}"), new Uri($"http://127.0.0.1:{FreePort.Next()}"));

    /// <summary>The peer URL without a trailing slash, as --initial-cluster and --peer-urls take it.</summary>
    public string PeerEndpoint => PeerUrl.GetLeftPart(UriPartial.Authority);

    /// <summary>The client URL without a trailing slash, as etcdctl's --endpoints takes it.</summary>
    public string ClientEndpoint => ClientUrl.GetLeftPart(UriPartial.Authority);
}
