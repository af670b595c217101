using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage;

/// <summary>
/// Durable-write primitives. <see cref="DataSync"/> is fdatasync on Linux: it skips the inode timestamp update that a
/// full fsync (what FileStream.Flush(true) and RandomAccess.FlushToDisk do) forces through the journal, which is
/// what makes a WAL append into preallocated space cheap. Elsewhere it falls back to the full flush.
/// </summary>
internal static class FileSync
{
    private static readonly bool IsLinux = OperatingSystem.IsLinux();

    public static void DataSync(SafeFileHandle handle)
    {
        if (IsLinux)
        {
            bool added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                if (NativeMethods.fdatasync((int)handle.DangerousGetHandle()) != 0)
                {
                    throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
            return;
        }
        RandomAccess.FlushToDisk(handle);
    }

    public static void FullSync(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>fsync a directory so that file creations, renames and deletions in it are durable (no-op off Unix).</summary>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        int fd = NativeMethods.open(path, NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY);
        if (fd < 0)
        {
            throw new IOException($"open({path}) for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (NativeMethods.fsync(fd) != 0)
            {
                throw new IOException($"fsync({path}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
        public const int O_RDONLY = 0;
        public static readonly int O_DIRECTORY = OperatingSystem.IsLinux() ? 0x10000 : 0x100000;

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; these calls are blittable.
        [DllImport("libc", SetLastError = true)]
        public static extern int fdatasync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
