using System;

namespace Cairn.Raft.Tracker;

/// <summary>
/// The sliding window of appends sent to a follower but not yet acknowledged, bounded by a count of messages and,
/// optionally, by their total payload bytes. Each message is recorded by the index of its last entry; indexes must
/// be added in increasing order. The ring buffer grows on demand up to <c>size</c>, so idle followers cost little.
/// </summary>
public sealed class Inflights
{
    private readonly int _size;
    private readonly ulong _maxBytes;
    private int _start;
    private int _count;
    private ulong _bytes;
    private (ulong Index, ulong Bytes)[] _buffer;

    /// <param name="size">Most messages in flight; must be positive.</param>
    /// <param name="maxBytes">Most payload bytes in flight; 0 means no byte limit.</param>
    public Inflights(int size, ulong maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _size = size;
        _maxBytes = maxBytes;
        _buffer = [];
    }

    /// <summary>Messages currently in flight.</summary>
    public int Count => _count;

    /// <summary>Payload bytes currently in flight.</summary>
    public ulong Bytes => _bytes;

    /// <summary>Capacity in messages.</summary>
    public int Size => _size;

    /// <summary>The byte limit; 0 when unlimited.</summary>
    public ulong MaxBytes => _maxBytes;

    /// <summary>
    /// True when no more messages may be sent: the count limit is reached, or the byte limit is reached or exceeded
    /// (a single message may overshoot the byte limit; the window then stays full until it is acknowledged).
    /// </summary>
    public bool Full => _count == _size || (_maxBytes != 0 && _bytes >= _maxBytes);

    /// <summary>Records a message whose last entry is <paramref name="index"/>. Adding to a full window is a bug.</summary>
    public void Add(ulong index, ulong bytes)
    {
        if (Full)
        {
            throw new InvalidOperationException("cannot add into a full inflights window");
        }

        int next = _start + _count;
        if (next >= _size)
        {
            next -= _size;
        }

        if (next >= _buffer.Length)
        {
            Grow();
        }

        _buffer[next] = (index, bytes);
        _count++;
        _bytes += bytes;
    }

    /// <summary>Frees every message whose last index is at most <paramref name="to"/> (they are acknowledged).</summary>
    public void FreeLE(ulong to)
    {
        if (_count == 0 || to < _buffer[_start].Index)
        {
            return;
        }

        int idx = _start;
        int freed = 0;
        ulong bytes = 0;
        while (freed < _count && _buffer[idx].Index <= to)
        {
            bytes += _buffer[idx].Bytes;
            freed++;
            if (++idx >= _size)
            {
                idx -= _size;
            }
        }

        _count -= freed;
        _bytes -= bytes;
        // With nothing in flight, restart at the front so the buffer need not grow past what is used.
        _start = _count == 0 ? 0 : idx;
    }

    /// <summary>Forgets everything in flight (the follower changed state).</summary>
    public void Reset()
    {
        _count = 0;
        _start = 0;
        _bytes = 0;
    }

    /// <summary>A deep copy.</summary>
    public Inflights Clone()
    {
        var clone = new Inflights(_size, _maxBytes)
        {
            _start = _start,
            _count = _count,
            _bytes = _bytes,
            _buffer = ((ulong Index, ulong Bytes)[])_buffer.Clone(),
        };
        return clone;
    }

    // Doubles the buffer (1 at first), capped at _size. Only called when the logical tail has reached the end of
    // the allocated buffer before wrapping, so copying the prefix keeps every live slot in place.
    private void Grow()
    {
        int newSize = _buffer.Length == 0 ? 1 : Math.Min(_buffer.Length * 2, _size);
        var grown = new (ulong Index, ulong Bytes)[newSize];
        Array.Copy(_buffer, grown, _buffer.Length);
        _buffer = grown;
    }
}
