using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Cairn.Server.Hosting;

/// <summary>
/// Makes Kestrel accept the :authority etcd's Go clients send. clientv3 dials single endpoints as
/// "passthrough:///http://host:port", so grpc-go sends ":authority: http://host:port", which Go's server ignores
/// but Kestrel refuses as an invalid Host (the stream is reset with PROTOCOL_ERROR, e.g. `etcdctl endpoint status`).
/// This filter sits between the socket and Kestrel on HTTP/2 connections and rewrites the value of every literal
/// :authority field in HEADERS frames to <see cref="Replacement"/> (the Host is not used by any Cairn endpoint).
/// <para>HPACK safety: a literal keeps its representation (with/without indexing), so both dynamic tables see the
/// same sequence of insertions; a value is only ever replaced by a shorter one, so Kestrel's table never evicts an
/// entry the client still references. Header blocks split over CONTINUATION frames pass unchanged (gRPC headers
/// fit one frame).</para>
/// </summary>
internal static class Http2AuthorityRewriter
{
    private const byte FrameHeaders = 0x1;
    private const byte FlagEndHeaders = 0x4;
    private const byte FlagPadded = 0x8;
    private const byte FlagPriority = 0x20;
    private const int FrameHeaderLength = 9;
    private const int PrefaceLength = 24;
    private const int AuthorityStaticIndex = 1;
    private static readonly byte[] Replacement = "cairn"u8.ToArray();

    /// <summary>Replaces the connection's input with the filtered stream; the caller has seen an HTTP/2 start.</summary>
    public static void Install(ConnectionContext context)
    {
        var source = context.Transport;
        // Kestrel reads the filtered frames on the pump's thread: a thread pool hop here would sit on every request.
        var filtered = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        _ = PumpAsync(source.Input, filtered.Writer, context.ConnectionClosed);
        context.Transport = new DuplexPipe(filtered.Reader, source.Output);
    }

    private static async Task PumpAsync(PipeReader input, PipeWriter output, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            var prefaceLeft = PrefaceLength;
            while (true)
            {
                var result = await input.ReadAsync(ct).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (prefaceLeft > 0)
                {
                    var n = (int)Math.Min(prefaceLeft, buffer.Length);
                    Write(output, buffer.Slice(0, n));
                    buffer = buffer.Slice(n);
                    prefaceLeft -= n;
                }
                while (prefaceLeft == 0 && TryTakeFrame(ref buffer, out var frame))
                {
                    WriteFrame(output, frame);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                var flush = await output.FlushAsync(ct).ConfigureAwait(false);
                if (result.IsCompleted || flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            error = e is OperationCanceledException ? null : e;
        }
        await input.CompleteAsync(error).ConfigureAwait(false);
        await output.CompleteAsync(error).ConfigureAwait(false);
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < FrameHeaderLength)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        buffer.Slice(0, FrameHeaderLength).CopyTo(header);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        if (buffer.Length < FrameHeaderLength + length)
        {
            return false;
        }
        frame = buffer.Slice(0, FrameHeaderLength + length);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    private static void WriteFrame(PipeWriter output, ReadOnlySequence<byte> frame)
    {
        var type = frame.FirstSpan.Length >= 4 ? frame.FirstSpan[3] : frame.Slice(3, 1).FirstSpan[0];
        if (type != FrameHeaders)
        {
            Write(output, frame);
            return;
        }
        var bytes = frame.ToArray();
        var rewritten = RewriteHeaders(bytes);
        output.Write(rewritten ?? bytes);
    }

    /// <summary>Returns the frame with its literal :authority values replaced, or null to keep it as it is.</summary>
    internal static byte[]? RewriteHeaders(byte[] frame)
    {
        var flags = frame[4];
        if ((flags & FlagEndHeaders) == 0)
        {
            return null;
        }
        var pos = FrameHeaderLength;
        var end = frame.Length;
        if ((flags & FlagPadded) != 0)
        {
            end -= frame[pos];
            pos++;
        }
        if ((flags & FlagPriority) != 0)
        {
            pos += 5;
        }
        if (pos > end)
        {
            return null;
        }
        var blockStart = pos;
        var block = new List<byte>(end - pos);
        var changed = false;
        while (pos < end)
        {
            var b = frame[pos];
            var indexedStart = pos;
            if ((b & 0x80) != 0)
            {
                if (!SkipInteger(frame, ref pos, end, 7, out _))
                {
                    return null;
                }
            }
            else if ((b & 0xE0) == 0x20)
            {
                if (!SkipInteger(frame, ref pos, end, 5, out _))
                {
                    return null;
                }
            }
            else
            {
                var prefix = (b & 0xC0) == 0x40 ? 6 : 4;
                var fieldStart = pos;
                if (!SkipInteger(frame, ref pos, end, prefix, out var nameIndex))
                {
                    return null;
                }
                if (nameIndex == 0 && !SkipString(frame, ref pos, end, out _))
                {
                    return null;
                }
                var valueStart = pos;
                if (!SkipString(frame, ref pos, end, out var valueLength))
                {
                    return null;
                }
                if (nameIndex == AuthorityStaticIndex && valueLength >= Replacement.Length)
                {
                    block.AddRange(frame.AsSpan(fieldStart, valueStart - fieldStart));
                    block.Add((byte)Replacement.Length); // H=0, 7-bit length
                    block.AddRange(Replacement);
                    changed = true;
                    continue;
                }
                block.AddRange(frame.AsSpan(fieldStart, pos - fieldStart));
                continue;
            }
            block.AddRange(frame.AsSpan(indexedStart, pos - indexedStart));
        }
        if (!changed)
        {
            return null;
        }
        // The rebuilt frame drops the (optional) padding and keeps the priority fields.
        var priority = (flags & FlagPriority) != 0 ? frame.AsSpan(blockStart - 5, 5).ToArray() : [];
        var payload = priority.Length + block.Count;
        var result = new byte[FrameHeaderLength + payload];
        result[0] = (byte)(payload >> 16);
        result[1] = (byte)(payload >> 8);
        result[2] = (byte)payload;
        result[3] = FrameHeaders;
        result[4] = (byte)(flags & ~FlagPadded);
        frame.AsSpan(5, 4).CopyTo(result.AsSpan(5));
        priority.CopyTo(result.AsSpan(FrameHeaderLength));
        block.CopyTo(result, FrameHeaderLength + priority.Length);
        return result;
    }

    /// <summary>Skips an HPACK integer with an N-bit prefix (RFC 7541 §5.1).</summary>
    private static bool SkipInteger(byte[] data, ref int pos, int end, int prefixBits, out long value)
    {
        var max = (1 << prefixBits) - 1;
        value = data[pos++] & max;
        if (value < max)
        {
            return true;
        }
        var shift = 0;
        while (pos < end)
        {
            var b = data[pos++];
            value += (long)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                return shift <= 28;
            }
        }
        return false;
    }

    /// <summary>Skips an HPACK string literal (RFC 7541 §5.2); <paramref name="length"/> is its encoded length.</summary>
    private static bool SkipString(byte[] data, ref int pos, int end, out long length)
    {
        length = 0;
        if (pos >= end || !SkipInteger(data, ref pos, end, 7, out length) || pos + length > end)
        {
            return false;
        }
        pos += (int)length;
        return true;
    }

    private static void Write(PipeWriter output, ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            output.Write(segment.Span);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
