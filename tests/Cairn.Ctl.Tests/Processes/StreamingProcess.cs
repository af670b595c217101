using System.Diagnostics;
using System.Runtime.InteropServices;
using Cairn.Testing;

namespace Cairn.Ctl.Tests.Processes;

/// <summary>
/// A long-running command (watch, elect, lock, keep-alive) whose output lines are collected as they arrive; tests
/// wait for a number of lines, feed stdin, then interrupt it (SIGINT, as a user's Ctrl-C) or kill it.
/// </summary>
internal sealed class StreamingProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();

    private StreamingProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Add(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static StreamingProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["ETCDCTL_API"] = "3";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[key] = value;
        }

        return new StreamingProcess(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}"));
    }

    /// <summary>cairnctl (via dotnet) or etcdctl with --endpoints.</summary>
    public static StreamingProcess Ctl(bool cairn, string endpoint, params string[] args) =>
        cairn
            ? Start(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet", [Cairnctl.Dll, "--endpoints", endpoint, .. args])
            : Start(ClusterParityTests.ServerBinaryPath("etcdctl"), ["--endpoints", endpoint, .. args]);

    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Task WaitForLinesAsync(int count, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Stdout.Count >= count || _process.HasExited, timeout ?? TimeSpan.FromSeconds(30), $"{count} lines of output (have {string.Join(" | ", Stdout)}; stderr {string.Join(" | ", Stderr)})");

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Sends SIGINT and waits for the process to exit on its own.</summary>
    public async Task<int> InterruptAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigInt);
        }

        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(limit.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(limit.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                lines.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
