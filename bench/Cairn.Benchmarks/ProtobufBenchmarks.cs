using BenchmarkDotNet.Attributes;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Google.Protobuf;

namespace Cairn.Benchmarks;

/// <summary>
/// Encoding and decoding the KV messages a member handles most: Put and Range requests and responses (8-byte keys,
/// 256-byte values; a range response with one key and one with 100). Encoding writes into a reused buffer, as gRPC's
/// serializer does; decoding parses from bytes.
/// </summary>
[MemoryDiagnoser]
public class ProtobufBenchmarks
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private PutRequest _putRequest = null!;
    private PutResponse _putResponse = null!;
    private RangeRequest _rangeRequest = null!;
    private RangeResponse _rangeOne = null!;
    private RangeResponse _rangeHundred = null!;
    private byte[] _putRequestBytes = [];
    private byte[] _putResponseBytes = [];
    private byte[] _rangeRequestBytes = [];
    private byte[] _rangeOneBytes = [];
    private byte[] _rangeHundredBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var value = ByteString.CopyFrom(new byte[256]);
        var header = new ResponseHeader { ClusterId = 0x1234_5678_9abc, MemberId = 0x8e9e_05c5_2164_694d, Revision = 1_000_000, RaftTerm = 7 };
        _putRequest = new PutRequest { Key = Key(42), Value = value };
        _putResponse = new PutResponse { Header = header };
        _rangeRequest = new RangeRequest { Key = Key(42), Serializable = true };
        _rangeOne = Range(header, value, 1);
        _rangeHundred = Range(header, value, 100);
        _putRequestBytes = _putRequest.ToByteArray();
        _putResponseBytes = _putResponse.ToByteArray();
        _rangeRequestBytes = _rangeRequest.ToByteArray();
        _rangeOneBytes = _rangeOne.ToByteArray();
        _rangeHundredBytes = _rangeHundred.ToByteArray();
    }

    [Benchmark]
    public int EncodePutRequest() => Encode(_putRequest);

    [Benchmark]
    public PutRequest DecodePutRequest() => PutRequest.Parser.ParseFrom(_putRequestBytes);

    [Benchmark]
    public int EncodePutResponse() => Encode(_putResponse);

    [Benchmark]
    public PutResponse DecodePutResponse() => PutResponse.Parser.ParseFrom(_putResponseBytes);

    [Benchmark]
    public int EncodeRangeRequest() => Encode(_rangeRequest);

    [Benchmark]
    public RangeRequest DecodeRangeRequest() => RangeRequest.Parser.ParseFrom(_rangeRequestBytes);

    [Benchmark]
    public int EncodeRangeResponseOneKey() => Encode(_rangeOne);

    [Benchmark]
    public RangeResponse DecodeRangeResponseOneKey() => RangeResponse.Parser.ParseFrom(_rangeOneBytes);

    [Benchmark]
    public int EncodeRangeResponseHundredKeys() => Encode(_rangeHundred);

    [Benchmark]
    public RangeResponse DecodeRangeResponseHundredKeys() => RangeResponse.Parser.ParseFrom(_rangeHundredBytes);

    private static ByteString Key(int i) => ByteString.CopyFrom(BitConverter.GetBytes((long)i));

    private static RangeResponse Range(ResponseHeader header, ByteString value, int count)
    {
        var response = new RangeResponse { Header = header, Count = count };
        for (var i = 0; i < count; i++)
        {
            response.Kvs.Add(new KeyValue { Key = Key(i), Value = value, CreateRevision = 1000 + i, ModRevision = 900_000 + i, Version = 3 });
        }

        return response;
    }

    /// <summary>Serializes into the reused buffer; returns the size.</summary>
    private int Encode(IMessage message)
    {
        var size = message.CalculateSize();
        message.WriteTo(_buffer.AsSpan(0, size));
        return size;
    }
}
