using System.Collections.Concurrent;
using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Tests.Cluster;

/// <summary>
/// Background writers putting unique keys under a prefix, spread over a set of members. Each acknowledged put is
/// recorded with its value and revision; a failed put (member down, election, timeout) is counted and the writer moves
/// on to the next key on the next member. <see cref="VerifyAsync"/> then checks that no acknowledged put was lost.
/// </summary>
internal sealed class WriteLoad : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Ack> _acks = new();
    private readonly IReadOnlyList<ProcessMember> _targets;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private readonly Stopwatch _clock = new();
    private int _acked;
    private int _failed;
    private string? _lastError;

    private WriteLoad(IReadOnlyList<ProcessMember> targets, string prefix)
    {
        _targets = targets;
        _prefix = prefix;
    }

    public readonly record struct Ack(string Value, long Revision);

    public int Acked => Volatile.Read(ref _acked);

    public int Failed => Volatile.Read(ref _failed);

    public string? LastError => Volatile.Read(ref _lastError);

    public IReadOnlyDictionary<string, Ack> Acks => _acks;

    /// <summary>Starts <paramref name="writers"/> writers over <paramref name="targets"/>; each put has a 5 s deadline.</summary>
    public static WriteLoad Start(IReadOnlyList<ProcessMember> targets, string prefix, int writers = 4)
    {
        var load = new WriteLoad(targets, prefix);
        load._clock.Start();
        for (var w = 0; w < writers; w++)
        {
            var writer = w;
            load._writers.Add(Task.Run(() => load.WriteAsync(writer)));
        }

        return load;
    }

    /// <summary>Waits until <paramref name="more"/> further puts are acknowledged: the cluster is still taking writes.</summary>
    public async Task ProgressAsync(int more, TimeSpan timeout, string when)
    {
        var target = Acked + more;
        await Wait.UntilAsync(() => Acked >= target, timeout, $"{more} more acknowledged puts {when} (acked {Acked}, failed {Failed}, last error {LastError})");
    }

    /// <summary>Stops the writers and waits for their last puts to finish.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
        _clock.Stop();
    }

    /// <summary>Acknowledged puts per second while the load ran.</summary>
    public double Rate => Acked / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);

    /// <summary>Every acknowledged put is on <paramref name="member"/> with its value and revision (read serializable or linearizable).</summary>
    public async Task VerifyAsync(ProcessMember member, bool serializable)
    {
        using var client = member.CreateClient();
        var range = await client.KV.RangeAsync(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8(_prefix),
            RangeEnd = ByteString.CopyFromUtf8(PrefixEnd(_prefix)),
            Serializable = serializable,
        });
        var stored = range.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8());
        var lost = _acks
            .Where(a => !stored.TryGetValue(a.Key, out var kv) || kv.Value.ToStringUtf8() != a.Value.Value || kv.ModRevision != a.Value.Revision)
            .Select(a => $"{a.Key}={a.Value.Value}@{a.Value.Revision} stored as {(stored.TryGetValue(a.Key, out var kv) ? $"{kv.Value.ToStringUtf8()}@{kv.ModRevision}" : "(missing)")}")
            .ToList();
        Assert.True(lost.Count == 0, $"{member.Name}: {lost.Count} of {_acks.Count} acknowledged puts are lost or changed: {string.Join(", ", lost.Take(10))}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    /// <summary>The range end that covers every key starting with <paramref name="prefix"/> (etcdctl --prefix).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private async Task WriteAsync(int writer)
    {
        var clients = _targets.Select(m => m.CreateClient()).ToList();
        try
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var key = $"{_prefix}{writer}/{i:D6}";
                var value = $"w{writer}-{i}";
                var client = clients[(writer + i) % clients.Count];
                try
                {
                    var response = await client.KV.PutAsync(
                        new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) },
                        deadline: DateTime.UtcNow.AddSeconds(5));
                    _acks[key] = new Ack(value, response.Header.Revision);
                    Interlocked.Increment(ref _acked);
                }
                catch (RpcException e)
                {
                    Interlocked.Increment(ref _failed);
                    Volatile.Write(ref _lastError, $"{e.StatusCode} \"{e.Status.Detail}\"");
                    try
                    {
                        // A member that is down refuses at once; don't spin on it.
                        await Task.Delay(20, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
