using System.Globalization;

namespace Cairn.Bench.Compare;

/// <summary>
/// What /proc says about a server process: CPU seconds so far (utime + stime of /proc/PID/stat), peak resident set
/// (VmHWM) and current resident set (VmRSS) of /proc/PID/status. Zero when the process is gone.
/// </summary>
internal static class ProcessStats
{
    /// <summary>Clock ticks per second of /proc/PID/stat; USER_HZ is 100 on every Linux build that .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static double CpuSeconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return 0;
        }

        // Fields after "pid (comm)": the comm may hold spaces, so split after its closing parenthesis.
        // utime and stime are fields 14 and 15 overall, i.e. 12 and 13 after the state field.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public static long PeakRssBytes(int pid) => StatusKiB(pid, "VmHWM:") * 1024;

    public static long RssBytes(int pid) => StatusKiB(pid, "VmRSS:") * 1024;

    private static long StatusKiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Gone.
        }

        return 0;
    }
}
