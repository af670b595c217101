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

    public static void Stop(int pid) => Send(pid, SigStop);

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

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
