using System.IO.Pipelines;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using static Cairn.Server.Tests.Hosting.Hpack;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// The :authority rewriter on hand-built HPACK blocks: every literal :authority (static name index 1) of at least five
/// octets gets the value "cairn" in the same representation; everything else stays byte for byte.
/// </summary>
public sealed class Http2AuthorityRewriterTests
{
    private const int Authority = 1;
    private const string GoAuthority = "http://127.0.0.1:2379";

    /// <summary>What grpc-go sends for a unary call, with a literal :authority at <paramref name="authority"/>.</summary>
    private static byte[][] GrpcBlock(byte[] authority) =>
    [
        Indexed(3),                                        // :method POST
        Indexed(6),                                        // :scheme http
        Incremental(4, "/etcdserverpb.KV/Range"),          // :path
        authority,
        Incremental(31, "application/grpc"),               // content-type
        WithoutIndexing(58, "grpc-go/1.26.0"),             // user-agent
        NewName(0x40, "te", "trailers"),
    ];

    private static byte[]? Rewrite(byte[] frame) => Http2AuthorityRewriter.RewriteHeaders(frame);

    [Fact]
    public void RewriteHeaders_LiteralWithIncrementalIndexing_ValueReplacedRestIdentical()
    {
        var frame = HeadersFrame(Block(GrpcBlock(Incremental(Authority, GoAuthority))));
        var expected = HeadersFrame(Block(GrpcBlock(Incremental(Authority, "cairn"))));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_LiteralWithoutIndexing_KeepsItsRepresentation()
    {
        var frame = HeadersFrame(Block(GrpcBlock(WithoutIndexing(Authority, GoAuthority))));
        var expected = HeadersFrame(Block(GrpcBlock(WithoutIndexing(Authority, "cairn"))));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_LiteralNeverIndexed_KeepsItsRepresentation()
    {
        var frame = HeadersFrame(Block(NeverIndexed(Authority, GoAuthority), Indexed(2)));
        var expected = HeadersFrame(Block(NeverIndexed(Authority, "cairn"), Indexed(2)));
        Assert.Equal(expected, Rewrite(frame));
    }

    /// <summary>A Huffman-coded value is replaced by a plain one (H bit clear); Huffman-coded neighbours pass untouched.</summary>
    [Fact]
    public void RewriteHeaders_HuffmanCodedAuthority_ReplacedWithAPlainValue()
    {
        var huffmanPath = Incremental(4, "\u00aa\u00bb\u00cc\u00dd\u00ee", huffman: true);
        var frame = HeadersFrame(Block(huffmanPath, Incremental(Authority, "\u0091\u0092\u0093\u0094\u0095\u0096", huffman: true), huffmanPath));
        var expected = HeadersFrame(Block(huffmanPath, Incremental(Authority, "cairn"), huffmanPath));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_LongValuesWithMultiByteLengths()
    {
        var longAuthority = "http://" + new string('h', 300) + ":2379";
        var longAgent = WithoutIndexing(58, new string('u', 1000), huffman: true);
        var frame = HeadersFrame(Block(longAgent, Incremental(Authority, longAuthority), longAgent));
        var expected = HeadersFrame(Block(longAgent, Incremental(Authority, "cairn"), longAgent));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_EveryAuthorityLiteralInTheBlock()
    {
        var frame = HeadersFrame(Block(Incremental(Authority, GoAuthority), Indexed(2), NeverIndexed(Authority, "http://x:1"), WithoutIndexing(Authority, "12345")));
        var expected = HeadersFrame(Block(Incremental(Authority, "cairn"), Indexed(2), NeverIndexed(Authority, "cairn"), WithoutIndexing(Authority, "cairn")));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_DynamicTableSizeUpdates_Preserved()
    {
        var frame = HeadersFrame(Block(SizeUpdate(0), SizeUpdate(4096), Incremental(Authority, GoAuthority), Indexed(3)));
        var expected = HeadersFrame(Block(SizeUpdate(0), SizeUpdate(4096), Incremental(Authority, "cairn"), Indexed(3)));
        Assert.Equal(new byte[] { 0x3f, 0xe1, 0x1f }, SizeUpdate(4096));
        Assert.Equal(expected, Rewrite(frame));
    }

    /// <summary>Name indexes past a prefix's range take continuation bytes; they must be skipped, not misread.</summary>
    [Fact]
    public void RewriteHeaders_MultiByteNameIndexes_Preserved()
    {
        var dynamicIncremental = Incremental(70, "value-of-dynamic-70");
        var dynamicNever = NeverIndexed(20, "secret-value");
        var dynamicIndexed = Indexed(200);
        Assert.Equal(0x7f, dynamicIncremental[0]);
        Assert.Equal(0x1f, dynamicNever[0]);
        var frame = HeadersFrame(Block(dynamicIncremental, dynamicNever, dynamicIndexed, Incremental(Authority, GoAuthority)));
        var expected = HeadersFrame(Block(dynamicIncremental, dynamicNever, dynamicIndexed, Incremental(Authority, "cairn")));
        Assert.Equal(expected, Rewrite(frame));
    }

    /// <summary>A field whose name is a dynamic-table entry is left alone even if that entry happens to be :authority.</summary>
    [Fact]
    public void RewriteHeaders_NonAuthorityNamesWithAuthorityLikeValues_Untouched()
    {
        var frame = HeadersFrame(Block(Incremental(2, GoAuthority), Incremental(62, GoAuthority), NewName(0x00, "host", GoAuthority)));
        Assert.Null(Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_IndexedAuthority_Untouched()
    {
        // 0x81 is the static entry (:authority, ""); indexed fields carry no literal to rewrite.
        Assert.Null(Rewrite(HeadersFrame(Block(Indexed(Authority), Indexed(3), Indexed(6)))));
    }

    /// <summary>Values shorter than the replacement are kept, so the HPACK table on the server never grows past the client's.</summary>
    [Fact]
    public void RewriteHeaders_AuthorityShorterThanTheReplacement_Untouched()
    {
        Assert.Null(Rewrite(HeadersFrame(Block(Incremental(Authority, "a:1")))));
        Assert.Null(Rewrite(HeadersFrame(Block(Incremental(Authority, "")))));
        Assert.NotNull(Rewrite(HeadersFrame(Block(Incremental(Authority, "ab:12")))));
    }

    [Fact]
    public void RewriteHeaders_NoAuthority_Untouched() =>
        Assert.Null(Rewrite(HeadersFrame(Block(Indexed(3), Incremental(4, "/x"), NewName(0x40, "te", "trailers")))));

    [Fact]
    public void RewriteHeaders_PaddedFrame_PaddingDroppedBlockRewritten()
    {
        var block = Block(Incremental(Authority, GoAuthority), Indexed(3));
        var frame = HeadersFrame(block, padding: [0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(Padded, frame[4] & Padded);
        var expected = HeadersFrame(Block(Incremental(Authority, "cairn"), Indexed(3)));
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_PriorityFrame_PriorityFieldsKept()
    {
        byte[] priority = [0x80, 0x00, 0x00, 0x03, 0xff];
        var frame = HeadersFrame(Block(Incremental(Authority, GoAuthority), Indexed(3)), priority: priority);
        var expected = HeadersFrame(Block(Incremental(Authority, "cairn"), Indexed(3)), priority: priority);
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_PaddedAndPriority()
    {
        byte[] priority = [0x00, 0x00, 0x00, 0x01, 0x10];
        var frame = HeadersFrame(Block(Indexed(3), Incremental(Authority, GoAuthority)), padding: [0, 0], priority: priority);
        var expected = HeadersFrame(Block(Indexed(3), Incremental(Authority, "cairn")), priority: priority);
        Assert.Equal(expected, Rewrite(frame));
    }

    [Fact]
    public void RewriteHeaders_KeepsStreamIdAndOtherFlags()
    {
        var frame = HeadersFrame(Block(Incremental(Authority, GoAuthority)), flags: EndHeaders, streamId: 0x12345);
        var rewritten = Rewrite(frame)!;
        Assert.Equal(frame.AsSpan(3, 6).ToArray(), rewritten.AsSpan(3, 6).ToArray());
        Assert.Equal(HeadersFrame(Block(Incremental(Authority, "cairn")), flags: EndHeaders, streamId: 0x12345), rewritten);
    }

    /// <summary>A block continued in CONTINUATION frames passes unchanged (HPACK state spans the frames).</summary>
    [Fact]
    public void RewriteHeaders_WithoutEndHeaders_Untouched() =>
        Assert.Null(Rewrite(HeadersFrame(Block(Incremental(Authority, GoAuthority)), flags: EndStream)));

    [Fact]
    public void RewriteHeaders_Malformed_Untouched()
    {
        var truncated = HeadersFrame([.. Incremental(Authority, GoAuthority)[..10]]);
        Assert.Null(Rewrite(truncated));
        var endlessInteger = HeadersFrame([0x7f, 0x80, 0x80]);
        Assert.Null(Rewrite(endlessInteger));
        // Pad length larger than the payload.
        var badPadding = Frame(Headers, EndHeaders | Padded, 1, [200, .. Incremental(Authority, GoAuthority)]);
        Assert.Null(Rewrite(badPadding));
    }

    // The pump between the socket and Kestrel: frames reassembled from arbitrary reads, only HEADERS touched.

    [Fact]
    public async Task Install_RewritesHeadersFramesAndPassesEverythingElse()
    {
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        var settings = Frame(0x4, 0, 0, [0x00, 0x03, 0x00, 0x00, 0x00, 0x64]);
        var headers = HeadersFrame(Block(GrpcBlock(Incremental(Authority, GoAuthority))), flags: EndHeaders, streamId: 1);
        var rewritten = HeadersFrame(Block(GrpcBlock(Incremental(Authority, "cairn"))), flags: EndHeaders, streamId: 1);
        var data = Frame(0x0, EndStream, 1, [0, 0, 0, 0, 3, 1, 2, 3]);
        // A block split over CONTINUATION passes as is, :authority included.
        var split = HeadersFrame(Block(Incremental(Authority, GoAuthority)), flags: EndStream, streamId: 3);
        var continuation = Frame(Continuation, EndHeaders, 3, Block(NeverIndexed(Authority, GoAuthority), Indexed(3)));
        var afterSplit = HeadersFrame(Block(Incremental(62, "x"), WithoutIndexing(Authority, GoAuthority)), streamId: 5);
        var afterSplitRewritten = HeadersFrame(Block(Incremental(62, "x"), WithoutIndexing(Authority, "cairn")), streamId: 5);

        var wire = new Pipe();
        var context = new DefaultConnectionContext("test") { Transport = new Duplex(wire.Reader, new Pipe().Writer) };
        Http2AuthorityRewriter.Install(context);

        byte[] input = [.. preface, .. settings, .. headers, .. data, .. split, .. continuation, .. afterSplit];
        var reading = ReadAllAsync(context.Transport.Input);
        // Odd-sized writes so frames and the preface straddle reads.
        for (var at = 0; at < input.Length; at += 7)
        {
            await wire.Writer.WriteAsync(input.AsMemory(at, Math.Min(7, input.Length - at)));
        }
        await wire.Writer.CompleteAsync();

        byte[] expected = [.. preface, .. settings, .. rewritten, .. data, .. split, .. continuation, .. afterSplitRewritten];
        Assert.Equal(expected, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.AddRange(segment.Span);
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return [.. all];
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
