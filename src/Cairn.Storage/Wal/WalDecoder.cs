using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Wal;

/// <summary>Receives each valid record of a segment; the payload span is only valid during the call.</summary>
internal delegate void WalRecordHandler(WalRecordType type, ReadOnlySpan<byte> payload, long offset);

/// <summary>Where the valid records of a segment end; a torn tail spans [ValidEnd, TornEnd) and is to be zeroed.</summary>
internal readonly record struct WalSegmentEnd(long ValidEnd, bool Torn, long TornEnd);

/// <summary>
/// Reads segments frame by frame through a 1 MiB window, checking the CRC chain, and classifies a bad frame as a torn
/// tail (only in the last segment, only with zeros after it and evidence of a partial write) or as corruption.
/// </summary>
internal sealed class WalDecoder
{
    public const ulong LengthMask = (1UL << 56) - 1;
    private const int SectorBytes = 512;
    private const int WindowBytes = 1 << 20;

    private byte[] _window = new byte[WindowBytes];
    private long _windowOffset;
    private int _windowLength;
    private SafeFileHandle? _handle;
    private long _fileLength;
    private bool _haveCrc;

    /// <summary>The CRC chain value after the last valid record.</summary>
    public uint Crc { get; private set; }

    public WalSegmentEnd Decode(SafeFileHandle handle, string path, bool isLast, WalRecordHandler handler)
    {
        _handle = handle;
        _fileLength = RandomAccess.GetLength(handle);
        _windowOffset = 0;
        _windowLength = 0;
        long off = 0;
        while (true)
        {
            if (off >= _fileLength)
            {
                return new WalSegmentEnd(off, false, off);
            }
            if (_fileLength - off < WalEncoder.FrameHeaderBytes)
            {
                if (AllZero(off, _fileLength))
                {
                    return new WalSegmentEnd(off, false, off);
                }
                return Invalid(path, isLast, off, _fileLength, pastEof: true, "partial frame header");
            }
            ReadOnlySpan<byte> head = Get(off, WalEncoder.FrameHeaderBytes);
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(head);
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
            uint reserved = BinaryPrimitives.ReadUInt32LittleEndian(head[12..]);
            if (word == 0)
            {
                // End of records; the preallocated rest must be untouched.
                if (!AllZero(off, _fileLength))
                {
                    throw new WalCorruptException("data after the end-of-records marker", path, off);
                }
                return new WalSegmentEnd(off, false, off);
            }
            var type = (WalRecordType)(word >> 56);
            long length = (long)(word & LengthMask);
            bool badHeader = type is < WalRecordType.Metadata or > WalRecordType.Snapshot
                || length > WalEncoder.MaxPayloadBytes || reserved != 0 || (type == WalRecordType.Crc && length != 0);
            if (badHeader)
            {
                return Invalid(path, isLast, off, off + WalEncoder.FrameHeaderBytes, pastEof: false, "bad frame header");
            }
            long frameEnd = off + WalEncoder.FrameHeaderBytes + WalEncoder.Align8(length);
            if (frameEnd > _fileLength)
            {
                return Invalid(path, isLast, off, _fileLength, pastEof: true, "frame runs past the end of the file");
            }
            ReadOnlySpan<byte> frame = Get(off, (int)(frameEnd - off));
            if (type == WalRecordType.Crc)
            {
                if (_haveCrc && stored != Crc)
                {
                    return Invalid(path, isLast, off, frameEnd, pastEof: false, "crc chain seed mismatch");
                }
                Crc = stored;
                _haveCrc = true;
                off = frameEnd;
                continue;
            }
            ReadOnlySpan<byte> payload = frame.Slice(WalEncoder.FrameHeaderBytes, (int)length);
            uint computed = WalEncoder.FrameCrc(Crc, type, payload);
            if (computed != stored || frame[(WalEncoder.FrameHeaderBytes + (int)length)..].IndexOfAnyExcept((byte)0) >= 0)
            {
                return Invalid(path, isLast, off, frameEnd, pastEof: false, "crc mismatch");
            }
            Crc = computed;
            _haveCrc = true;
            handler(type, payload, off);
            off = frameEnd;
        }
    }

    private WalSegmentEnd Invalid(string path, bool isLast, long off, long extentEnd, bool pastEof, string reason)
    {
        // A torn write leaves a frame cut short by the end of the file, or a frame with an unwritten (zero) sector,
        // and nothing written after it. Anything else is corruption of acknowledged data.
        bool torn = isLast && (pastEof || (AllZero(extentEnd, _fileLength) && HasZeroSector(off, extentEnd)));
        if (torn)
        {
            return new WalSegmentEnd(off, true, extentEnd);
        }
        throw new WalCorruptException(reason, path, off);
    }

    private bool HasZeroSector(long from, long to)
    {
        long start = from;
        while (start < to)
        {
            long end = Math.Min(to, (start / SectorBytes + 1) * SectorBytes);
            if (Get(start, (int)(end - start)).IndexOfAnyExcept((byte)0) < 0)
            {
                return true;
            }
            start = end;
        }
        return false;
    }

    private bool AllZero(long from, long to)
    {
        while (from < to)
        {
            int n = (int)Math.Min(WindowBytes, to - from);
            if (Get(from, n).IndexOfAnyExcept((byte)0) >= 0)
            {
                return false;
            }
            from += n;
        }
        return true;
    }

    private ReadOnlySpan<byte> Get(long off, int count)
    {
        if (off >= _windowOffset && off + count <= _windowOffset + _windowLength)
        {
            return _window.AsSpan((int)(off - _windowOffset), count);
        }
        if (count > _window.Length)
        {
            _window = new byte[Math.Max(count, WindowBytes)];
        }
        _windowOffset = off;
        _windowLength = 0;
        int want = (int)Math.Min(_window.Length, _fileLength - off);
        while (_windowLength < want)
        {
            int n = RandomAccess.Read(_handle!, _window.AsSpan(_windowLength, want - _windowLength), off + _windowLength);
            if (n == 0)
            {
                break;
            }
            _windowLength += n;
        }
        if (_windowLength < count)
        {
            throw new WalCorruptException("file shrank while being read", null, off);
        }
        return _window.AsSpan(0, count);
    }
}
