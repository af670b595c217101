using Cairn.Configuration;

namespace Cairn.Tests.Configuration;

/// <summary>URL rules of etcd's types.NewURLs, checkBindURLs and checkHostURLs, with etcd's messages.</summary>
public sealed class EtcdUrlsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:2379", "http://127.0.0.1:2379")]
    [InlineData(" https://10.0.0.1:2379 ", "https://10.0.0.1:2379")]
    [InlineData("HTTP://LocalHost:2379", "http://LocalHost:2379")]
    [InlineData("http://[::1]:2379", "http://[::1]:2379")]
    [InlineData("unix://localhost:2379", "unix://localhost:2379")]
    [InlineData("unixs://sock:1", "unixs://sock:1")]
    [InlineData("http://example.com:2379", "http://example.com:2379")]
    [InlineData("http://1.2.3.4:", "http://1.2.3.4:")]
    public void TryParse_AcceptsEtcdUrls_AndKeepsGosText(string input, string canonical)
    {
        Assert.True(EtcdUrls.TryParse(input, out var text, out var error), error);
        Assert.Equal(canonical, text);
    }

    [Theory]
    [InlineData("ftp://1.2.3.4:5", "URL scheme must be http, https, unix, or unixs: ftp://1.2.3.4:5")]
    [InlineData("", "URL scheme must be http, https, unix, or unixs: ")]
    [InlineData("1.2.3.4:2379", "URL scheme must be http, https, unix, or unixs: 1.2.3.4:2379")]
    [InlineData("http://1.2.3.4", "URL address does not have the form \"host:port\": http://1.2.3.4")]
    [InlineData("http:1.2.3.4:5", "URL address does not have the form \"host:port\": http:1.2.3.4:5")]
    [InlineData("http://1.2.3.4:5/path", "URL must not contain a path: http://1.2.3.4:5/path")]
    [InlineData("http://1.2.3.4:5/", "URL must not contain a path: http://1.2.3.4:5/")]
    [InlineData("http://1.2.3.4:abc", "parse \"http://1.2.3.4:abc\": invalid port \":abc\" after host")]
    [InlineData("http://[::1:2379", "parse \"http://[::1:2379\": missing ']' in host")]
    public void TryParse_RefusesWithEtcdsMessage(string input, string message)
    {
        Assert.False(EtcdUrls.TryParse(input, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void TryParseList_SortsAndRemovesDuplicates()
    {
        Assert.True(EtcdUrls.TryParseList("https://10.0.0.1:2379,http://127.0.0.1:2379,https://10.0.0.1:2379", out var urls, out _));
        Assert.Equal(["http://127.0.0.1:2379", "https://10.0.0.1:2379"], urls);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", null)]
    [InlineData("http://localhost:2379", null)]
    [InlineData("http://0.0.0.0:2379", null)]
    [InlineData("http://[::]:2379", null)]
    [InlineData("unix://anything:1", null)]
    [InlineData("http://example.com:2379", "expected IP in URL for binding (http://example.com:2379)")]
    [InlineData("http://LOCALHOST:2379", "expected IP in URL for binding (http://LOCALHOST:2379)")]
    [InlineData("http://01.2.3.4:2379", "expected IP in URL for binding (http://01.2.3.4:2379)")]
    [InlineData("http://:2379", "expected IP in URL for binding (http://:2379)")]
    public void CheckBindable_WantsAnIpOrLocalhost(string url, string? error) =>
        Assert.Equal(error, EtcdUrls.CheckBindable([url]));

    [Theory]
    [InlineData("http://example.com:2379", null)]
    [InlineData("http://:2379", "unexpected empty host (http://:2379)")]
    public void CheckHasHost_WantsAHost(string url, string? error) =>
        Assert.Equal(error, EtcdUrls.CheckHasHost([url]));

    [Fact]
    public void TryParseCluster_GroupsByNameInOrder_AndSortsEachNamesUrls()
    {
        Assert.True(EtcdUrls.TryParseCluster(
            "b=http://10.0.0.2:2380,a=http://10.0.0.9:2380,,a=http://10.0.0.1:2380", out var members, out var error), error);
        Assert.Equal(["b", "a"], members.Select(m => m.Key));
        Assert.Equal(["http://10.0.0.2:2380"], members[0].Value);
        Assert.Equal(["http://10.0.0.1:2380", "http://10.0.0.9:2380"], members[1].Value);
    }

    [Theory]
    [InlineData("node1", "entry \"node1\" is not of the form name=URL")]
    [InlineData("node1=10.0.0.1:2380", "URL scheme must be http, https, unix, or unixs: 10.0.0.1:2380")]
    public void TryParseCluster_Refuses(string input, string message)
    {
        Assert.False(EtcdUrls.TryParseCluster(input, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void TryToUri_KeepsTheCanonicalTextAsOriginalString()
    {
        Assert.True(EtcdUrls.TryToUri("http://LocalHost:80", out var uri));
        Assert.Equal("http://LocalHost:80", uri.OriginalString);
        Assert.False(EtcdUrls.TryToUri("http://:2380", out _));
    }
}
