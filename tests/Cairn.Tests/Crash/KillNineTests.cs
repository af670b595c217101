using System.Collections.Concurrent;
using Cairn.Api.Etcdserverpb;
using Cairn.Testing;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace Cairn.Tests.Crash;

/// <summary>
/// Durability under kill -9: concurrent gRPC writers put unique keys; the member is killed at a random moment (after a
/// random number of acknowledged puts), restarted on the same data dir, and every acknowledged put must be there with
/// its value at the revision it was acknowledged at. Ten rounds. The seed is printed; CAIRN_TEST_SEED replays it.
/// </summary>
[Collection("Processes")]
public sealed class KillNineTests(ITestOutputHelper output) : SingleMemberTest
{
    private const int Rounds = 10;
    private const int Writers = 4;
    private const string Prefix = "crash/";

    [Fact(Timeout = Hang.Crash)]
    public async Task KillNine_TenTimesUnderConcurrentPuts_LosesNoAcknowledgedPut()
    {
        var seed = Environment.GetEnvironmentVariable("CAIRN_TEST_SEED") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (CAIRN_TEST_SEED={seed} replays the kill moments); server {Member.Binary}");
        var random = new Random(seed);
        var acked = new ConcurrentDictionary<string, Ack>();
        var floor = 1L; // the store revision seen after the last restart: later acks must be above it

        for (var round = 1; round <= Rounds; round++)
        {
            var killAfter = random.Next(10, 400);
            var load = new Load(round, seed, floor, killAfter, acked);
            var writers = Enumerable.Range(0, Writers).Select(w => load.WriteAsync(Member, w)).ToList();

            await load.KillMoment.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(load.Failure is null, load.Failure);
            load.Killing = true;
            await Member.KillAsync();
            await Task.WhenAll(writers);

            Member.Start();
            await Member.WaitHealthyAsync();
            floor = await VerifyAsync(acked, floor, round);
            output.WriteLine($"round {round}: killed after {load.Acked} acks this round (target {killAfter}), {acked.Count} acked in all, revision {floor} after restart");
            Assert.True(load.Failure is null, load.Failure);
        }
    }

    /// <summary>Every acknowledged put is present with its value and revision; returns the store's revision.</summary>
    private async Task<long> VerifyAsync(ConcurrentDictionary<string, Ack> acked, long floor, int round)
    {
        using var client = Member.CreateClient();
        var range = await client.KV.RangeAsync(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8(Prefix),
            RangeEnd = ByteString.CopyFromUtf8("crash0"),
        });
        var stored = range.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8());
        var lost = acked.Where(a => !stored.TryGetValue(a.Key, out var kv) || kv.Value.ToStringUtf8() != a.Value.Value || kv.ModRevision != a.Value.Revision)
            .Select(a => $"{a.Key}={a.Value.Value}@{a.Value.Revision} stored as {(stored.TryGetValue(a.Key, out var kv) ? $"{kv.Value.ToStringUtf8()}@{kv.ModRevision}" : "(missing)")}")
            .ToList();
        Assert.True(lost.Count == 0, $"after kill -9 #{round}, {lost.Count} of {acked.Count} acknowledged puts are lost or changed: {string.Join(", ", lost.Take(10))}{Environment.NewLine}{Member.LogTail()}");

        var highest = acked.Values.Select(a => a.Revision).DefaultIfEmpty(0).Max();
        Assert.True(range.Header.Revision >= highest, $"after kill -9 #{round} the revision went back: store at {range.Header.Revision}, a put was acknowledged at {highest}");
        Assert.True(range.Header.Revision >= floor, $"after kill -9 #{round} the revision went back from {floor} to {range.Header.Revision}");
        return range.Header.Revision;
    }

    private readonly record struct Ack(string Value, long Revision);

    /// <summary>One round's writers: unique keys, each acknowledged put recorded with its revision.</summary>
    private sealed class Load(int round, int seed, long floor, int killAfter, ConcurrentDictionary<string, Ack> acked)
    {
        private readonly TaskCompletionSource _killMoment = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _acked;

        public int Acked => Volatile.Read(ref _acked);

        /// <summary>Completes when the round's <c>killAfter</c>-th put is acknowledged, or when a writer fails.</summary>
        public Task KillMoment => _killMoment.Task;

        /// <summary>Set just before the kill: errors after it are expected, errors before it fail the test.</summary>
        public volatile bool Killing;

        public volatile string? Failure;

        public async Task WriteAsync(ProcessMember member, int writer)
        {
            using var client = member.CreateClient();
            var random = new Random(HashCode.Combine(seed, round, writer));
            var previous = floor;
            for (var i = 0; !Killing; i++)
            {
                var key = $"{Prefix}{round:D2}/{writer}/{i:D6}";
                var value = $"{seed}:{round}:{writer}:{i}:{new string((char)('a' + random.Next(26)), random.Next(1, 64))}";
                try
                {
                    var response = await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) });
                    var revision = response.Header.Revision;
                    if (revision <= previous)
                    {
                        Failure ??= $"writer {writer} round {round}: put {key} acknowledged at revision {revision}, not above {previous}";
                        _killMoment.TrySetResult();
                    }

                    previous = revision;
                    acked[key] = new Ack(value, revision);
                    if (Interlocked.Increment(ref _acked) == killAfter)
                    {
                        _killMoment.TrySetResult();
                    }
                }
                catch (RpcException e)
                {
                    if (!Killing)
                    {
                        Failure ??= $"writer {writer} round {round}: put {key} failed before the kill: {e.Status}";
                        _killMoment.TrySetResult();
                    }

                    return; // the member is gone; the restart ends the round
                }
            }
        }
    }
}
