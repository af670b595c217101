using System.Diagnostics;
using Cairn.Bench.Load;
using Cairn.Testing;

namespace Cairn.Bench.Compare;

/// <summary>
/// Memory for holding data: a fresh single member, <c>keys</c> distinct keys written (8-byte keys, 256-byte values,
/// in transactions of 128 puts), then its resident set and peak resident set are read from /proc.
/// </summary>
internal static class RssProbe
{
    public static async Task<RssResult> RunAsync(
        string name, ServerBinary binary, ClusterOptions options, int keys, Action<string> log, CancellationToken cancellationToken)
    {
        await using var server = new ServerUnderTest(name, await ProcessCluster.StartAsync(binary, 1, options, cancellationToken).ConfigureAwait(false));
        var settings = new LoadSettings { Endpoints = server.Endpoints, Conns = 8, KeySize = 8, ValueSize = 256, KeySpaceSize = keys };
        using var connections = Connections.Open(settings);
        await connections.WarmAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await Prefill.RunAsync(settings, connections, cancellationToken).ConfigureAwait(false);
        server.EnsureRunning();
        var result = new RssResult(name, keys, settings.KeySize, settings.ValueSize, server.RssBytes(), server.PeakRssBytes(), clock.Elapsed.TotalSeconds);
        log($"rss: {name} holds {keys} keys in {result.RssBytes / 1048576.0:0} MiB (peak {result.PeakRssBytes / 1048576.0:0} MiB), loaded in {result.LoadSeconds:0.0} s");
        return result;
    }
}
