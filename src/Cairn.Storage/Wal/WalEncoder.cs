using System.Buffers.Binary;
using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Storage.Wal;

/// <summary>
/// Builds WAL frames (format in Wal.cs) into one reusable buffer so that an append is a single positional write.
/// Carries the CRC chain: every frame's checksum continues from the previous frame's.
/// </summary>
internal sealed class WalEncoder
{
    public const int FrameHeaderBytes = 16;
    public const int MaxPayloadBytes = 1 << 30;
    private const int InitialBuffer = 64 * 1024;
    private const int KeepBuffer = 4 * 1024 * 1024;

    private byte[] _buffer = new byte[InitialBuffer];
    private int _length;
    private int _frameStart = -1;

    public WalEncoder(uint crc) => Crc = crc;

    /// <summary>The chain value after the last frame encoded.</summary>
    public uint Crc { get; private set; }

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Forgets the encoded frames (after they were written); drops an oversized buffer.</summary>
    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > KeepBuffer)
        {
            _buffer = new byte[InitialBuffer];
        }
    }

    public static int Align8(long n) => (int)((n + 7) & ~7L);

    public void AppendEntry(Entry entry)
    {
        int size = entry.CalculateSize();
        entry.WriteTo(Begin(WalRecordType.Entry, size));
        End();
    }

    public void AppendState(HardState state)
    {
        int size = state.CalculateSize();
        state.WriteTo(Begin(WalRecordType.State, size));
        End();
    }

    public void AppendMetadata(ReadOnlySpan<byte> metadata)
    {
        metadata.CopyTo(Begin(WalRecordType.Metadata, metadata.Length));
        End();
    }

    public void AppendSnapshot(WalSnapshot snapshot)
    {
        int confSize = snapshot.ConfState?.CalculateSize() ?? 0;
        Span<byte> payload = Begin(WalRecordType.Snapshot, 16 + confSize);
        BinaryPrimitives.WriteUInt64LittleEndian(payload, snapshot.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], snapshot.Term);
        snapshot.ConfState?.WriteTo(payload[16..]);
        End();
    }

    /// <summary>The chain seed at the start of a segment: carries <see cref="Crc"/> without changing it.</summary>
    public void AppendCrc()
    {
        Span<byte> frame = Reserve(FrameHeaderBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)WalRecordType.Crc << 56);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[12..], 0);
    }

    public static uint FrameCrc(uint previous, WalRecordType type, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> typeByte = [(byte)type];
        return Crc32C.Update(Crc32C.Update(previous, typeByte), payload);
    }

    private Span<byte> Begin(WalRecordType type, int payloadLength)
    {
        if (payloadLength > MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), $"wal record of {payloadLength} bytes is over {MaxPayloadBytes}");
        }
        int frameLength = FrameHeaderBytes + Align8(payloadLength);
        _frameStart = _length;
        Span<byte> frame = Reserve(frameLength);
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (uint)payloadLength | ((ulong)type << 56));
        frame[(FrameHeaderBytes + payloadLength)..].Clear();
        return frame.Slice(FrameHeaderBytes, payloadLength);
    }

    private void End()
    {
        Span<byte> frame = _buffer.AsSpan(_frameStart, _length - _frameStart);
        ulong word = BinaryPrimitives.ReadUInt64LittleEndian(frame);
        int payloadLength = (int)(word & WalDecoder.LengthMask);
        Crc = FrameCrc(Crc, (WalRecordType)(word >> 56), frame.Slice(FrameHeaderBytes, payloadLength));
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[12..], 0);
        _frameStart = -1;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + count);
            Array.Resize(ref _buffer, (int)Math.Min(wanted, Array.MaxLength));
        }
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
