using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Wal;

/// <summary>
/// Keeps the tail segment written with zeros, and fdatasynced, from the tail offset to at least
/// <see cref="WalOptions.ZeroLeadBytes"/> past it, so appends overwrite blocks that are already allocated and written
/// and the append's fdatasync flushes data only.
/// <para><b>Why.</b> Segments are preallocated with fallocate, which reserves <i>unwritten</i> extents. The first write
/// into an unwritten block converts the extent, a metadata change, so the fdatasync after it must also commit the
/// filesystem journal (ext4: about twice the latency of a data-only sync; docs/performance.md). Zeroing ahead moves
/// that conversion, and its journal commit, off the append path.</para>
/// <para><b>Safety.</b> The zeroer shares the WAL's lock. It picks a chunk and writes its zeros while holding the lock,
/// with the chunk starting at or after the tail offset rounded up to 4 KiB; appends also write under the lock and only
/// move the tail forward, so zeros never land on a byte the appender has written. The file length never changes, and
/// zeros are what the preallocated space reads as anyway, so recovery sees the same bytes. Only the fdatasync runs
/// outside the lock, on the zeroer's own file descriptor: Linux reports a writeback error once per open file, so an
/// error seen by the zeroer is still reported to the appender's own fdatasync. The appender never waits for the
/// zeroer; an append past the zeroed region is an ordinary write into preallocated space.</para>
/// <para>One thread per WAL, started when the WAL first becomes writable and joined by <see cref="Dispose"/>. An I/O
/// error stops it and is rethrown by the WAL's next append (<see cref="ThrowIfFaulted"/>), fail-stop like a failed
/// fsync. Every member except <see cref="Dispose"/> and the test probes must be called with the WAL's lock held.</para>
/// </summary>
internal sealed class WalZeroer : IDisposable
{
    private const long PageBytes = 4096;

    private readonly object _gate;
    private readonly long _lead;
    private readonly int _chunk;
    private Thread? _thread;

    // Guarded by _gate.
    private string? _path;
    private long _generation;
    private long _tailOffset;
    private long _zeroedTo;
    private bool _atEnd;
    private bool _idle;
    private bool _stopping;
    private Exception? _fault;

    public WalZeroer(object gate, WalOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.ZeroLeadBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ZeroChunkBytes);
        _gate = gate;
        _lead = options.ZeroLeadBytes;
        _chunk = options.ZeroChunkBytes;
    }

    /// <summary>Test probe: the end of the region zeroed and synced in the current tail segment.</summary>
    internal long ZeroedTo
    {
        get
        {
            lock (_gate)
            {
                return _zeroedTo;
            }
        }
    }

    /// <summary>Test probe: whether the zeroing thread is alive.</summary>
    internal bool IsRunning => _thread?.IsAlive ?? false;

    /// <summary>The WAL appends to <paramref name="path"/> from <paramref name="tailOffset"/> on (created, recovered or cut).</summary>
    public void Track(string path, long tailOffset)
    {
        if (_lead == 0 || _stopping)
        {
            return;
        }
        _path = path;
        _generation++;
        _tailOffset = tailOffset;
        _zeroedTo = 0;
        _atEnd = false;
        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "cairn-wal-zeroer" };
            _thread.Start();
        }
        Monitor.Pulse(_gate);
    }

    /// <summary>The appender wrote up to <paramref name="tailOffset"/>; wakes the zeroer when the lead fell short.</summary>
    public void Advance(long tailOffset)
    {
        _tailOffset = tailOffset;
        if (_idle && !_atEnd && _zeroedTo < tailOffset + _lead)
        {
            Monitor.Pulse(_gate);
        }
    }

    public void ThrowIfFaulted()
    {
        if (_fault is not null)
        {
            throw new IOException("wal: zeroing ahead of the tail failed; the WAL file may be unwritable", _fault);
        }
    }

    /// <summary>Stops the zeroer and waits for it (at most one chunk's fdatasync). Call without holding the lock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread?.Join();
    }

    private static long RoundUpToPage(long offset) => (offset + PageBytes - 1) & ~(PageBytes - 1);

    private void Run()
    {
        byte[] zeros = new byte[_chunk];
        SafeFileHandle? file = null;
        long fileGeneration = 0;
        try
        {
            while (true)
            {
                long end;
                lock (_gate)
                {
                    long start;
                    while (true)
                    {
                        if (_stopping)
                        {
                            return;
                        }
                        if (_generation != fileGeneration)
                        {
                            file?.Dispose();
                            file = File.OpenHandle(_path!, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                            fileGeneration = _generation;
                        }
                        start = Math.Max(_zeroedTo, RoundUpToPage(_tailOffset));
                        end = Math.Min(start + _chunk, RandomAccess.GetLength(file!));
                        _atEnd = start >= end;
                        if (!_atEnd && start < _tailOffset + _lead)
                        {
                            break;
                        }
                        _idle = true;
                        Monitor.Wait(_gate);
                        _idle = false;
                    }
                    // Under the lock, at or past the tail: no append is running and none has written here.
                    RandomAccess.Write(file!, zeros.AsSpan(0, (int)(end - start)), start);
                }
                FileSync.DataSync(file!);
                lock (_gate)
                {
                    if (fileGeneration == _generation)
                    {
                        _zeroedTo = end;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            lock (_gate)
            {
                _fault = ex;
            }
        }
        finally
        {
            file?.Dispose();
        }
    }
}
