using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Cairn.Testing;

/// <summary>POSIX signals for freezing and thawing a member (SIGSTOP/SIGCONT) and stopping it gracefully (SIGTERM); kill -9 goes through Process.Kill.</summary>
internal static class Signals
{
    // Linux signal numbers (x86-64 and arm64 agree on these).
    private const int SigStop = 19;
    private const int SigCont = 18;
    private const int SigTerm = 15;

    /// <summary>
    /// SIGSTOP, then waits until every thread of the process is in the stopped state: kill(2) returns before the
    /// stop takes effect, and a thread still running could answer one more request.
    /// </summary>
    public static void Stop(int pid)
    {
        Send(pid, SigStop);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!AllThreadsStopped(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"process {pid} did not stop within 10 s of SIGSTOP");
            }

            Thread.Sleep(1);
        }
    }

    public static void Continue(int pid) => Send(pid, SigCont);

    /// <summary>SIGTERM: the polite stop a service manager sends (a graceful shutdown).</summary>
    public static void Terminate(int pid) => Send(pid, SigTerm);

    private static void Send(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("SIGSTOP/SIGCONT are sent with Linux signal numbers");
        }

        if (Kill(pid, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, {signal}) failed");
        }
    }

    // /proc/<pid>/task/<tid>/stat is "tid (comm) S ...": the state letter follows the last ')'; 'T' is stopped.
    private static bool AllThreadsStopped(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
                if (state is not ('T' or 't' or 'Z' or 'X'))
                {
                    return false;
                }
            }
            catch (IOException)
            {
                // the thread exited between listing and reading
            }
        }

        return true;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
