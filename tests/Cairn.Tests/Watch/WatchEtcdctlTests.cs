using System.Diagnostics;
using System.Text;
using Cairn.Testing;
using Cairn.Tests.Etcdctl;

namespace Cairn.Tests.Watch;

/// <summary>The real etcdctl's watch command against the server under test: live, --prefix, --prev-kv, --rev
/// (history), the compacted answer, a key range, and interactive mode with progress requests.</summary>
[Collection("Processes")]
public sealed class WatchEtcdctlTests : EtcdctlTest
{
    /// <summary>A long-running etcdctl whose stdout is collected as it arrives; it is killed on dispose.</summary>
    private sealed class Background : IAsyncDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();
        private readonly StringBuilder errors = new();

        public Background(string endpoints, params string[] arguments)
        {
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("ETCDCTL_BIN") is { Length: > 0 } bin ? bin : "etcdctl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            psi.Environment["ETCDCTL_API"] = "3";
            psi.Environment.Remove("ETCDCTL_ENDPOINTS");
            foreach (var a in (string[])["--endpoints", endpoints, .. arguments])
            {
                psi.ArgumentList.Add(a);
            }
            process = Process.Start(psi)!;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (output)
                    {
                        output.Append(e.Data).Append('\n');
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (errors)
                    {
                        errors.Append(e.Data).Append('\n');
                    }
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public string Errors
        {
            get
            {
                lock (errors)
                {
                    return errors.ToString();
                }
            }
        }

        public bool Exited => process.HasExited;

        public Task Type(string line) => process.StandardInput.WriteLineAsync(line);

        public Task Until(Func<string, bool> condition, string what) =>
            Wait.UntilAsync(() => condition(Output), TimeSpan.FromSeconds(15), $"{what}; stdout so far:\n{Output}\nstderr:\n{Errors}");

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }

    private static int Count(string text, string line) => text.Split('\n').Count(l => l == line);

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_PrefixWithPrevKv_PrintsLiveEventsAndPreviousValues()
    {
        await Put(("w/a", "1"));
        // From the next revision: what follows is seen however long etcdctl takes to start watching.
        var next = (await CurrentRevision() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = new Background(Cluster.Endpoints, "watch", "w/", "--prefix", "--prev-kv", "--rev=" + next);
        await Put(("w/a", "2"), ("w/b", "3"), ("other", "x"));
        await Ok("del", "w/a");

        await watch.Until(o => Count(o, "DELETE") == 1, "the delete");
        Assert.Equal(
            ["PUT", "w/a", "1", "w/a", "2", "PUT", "w/b", "3", "DELETE", "w/a", "2", "w/a"],
            watch.Output.TrimEnd('\n').Split('\n'));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_FromARevision_ReplaysHistoryThenFollows()
    {
        await Put(("h", "1"), ("h", "2"), ("x", "0"), ("h", "3"));
        await using var watch = new Background(Cluster.Endpoints, "watch", "h", "--rev=2");
        await watch.Until(o => Count(o, "PUT") == 3, "the history");
        await Put(("h", "4"));
        await watch.Until(o => Count(o, "PUT") == 4, "the live event");
        Assert.Equal(["PUT", "h", "1", "PUT", "h", "2", "PUT", "h", "3", "PUT", "h", "4"], watch.Output.TrimEnd('\n').Split('\n'));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_ACompactedRevision_IsCanceledWithTheCompactedError()
    {
        await Put(("c", "1"), ("c", "2"), ("c", "3"));
        await Ok("compaction", "3");

        var result = await Ctl("watch", "c", "--rev=2");

        Assert.False(result.Succeeded);
        Assert.Contains("watch was canceled (etcdserver: mvcc: required revision has been compacted)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_AKeyRange_PrintsOnlyKeysInIt()
    {
        await using var watch = new Background(Cluster.Endpoints, "watch", "b", "d", "--rev=1");
        await Put(("a", "x"), ("b", "1"), ("c", "2"), ("d", "3"));
        await watch.Until(o => Count(o, "PUT") == 2, "two events");
        await Task.Delay(300);
        Assert.Equal(["PUT", "b", "1", "PUT", "c", "2"], watch.Output.TrimEnd('\n').Split('\n'));
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Watch_Interactive_WatchCommandsAndProgressRequests()
    {
        await Put(("i", "0"));
        var next = (await CurrentRevision() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = new Background(Cluster.Endpoints, "watch", "-i");
        await watch.Type("watch i --rev=" + next);
        await watch.Type("watch j --prev-kv --rev=" + next);
        await Put(("i", "1"), ("j", "1"), ("j", "2"));
        await watch.Until(o => Count(o, "PUT") == 3, "three events");
        var revision = await CurrentRevision();

        await watch.Type("progress");

        await watch.Until(o => o.Contains($"progress notify: {revision}\n", StringComparison.Ordinal), "the progress notification");
        Assert.Contains("PUT\nj\n1\nj\n2\n", watch.Output, StringComparison.Ordinal);
    }
}
