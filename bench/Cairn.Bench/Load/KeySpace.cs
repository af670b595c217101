using Google.Protobuf;

namespace Cairn.Bench.Load;

/// <summary>
/// Keys of the load: key <c>i</c> is --key-size bytes with <c>i</c> big-endian in its last (up to 8) bytes and zeros
/// before, so every workload and the prefill name the same keys. Each client draws from its own seeded random.
/// </summary>
internal sealed class KeySpace
{
    private readonly LoadSettings _settings;
    private readonly Random[] _randoms;

    public KeySpace(LoadSettings settings)
    {
        _settings = settings;
        _randoms = Enumerable.Range(0, settings.Clients).Select(c => new Random(HashCode.Combine(settings.Seed, c))).ToArray();
    }

    /// <summary>The key index for request <paramref name="sequence"/> of client <paramref name="client"/>.</summary>
    public int Choose(int client, long sequence) =>
        _settings.SequentialKeys ? (int)(sequence % _settings.KeySpaceSize) : _randoms[client].Next(_settings.KeySpaceSize);

    /// <summary>Client <paramref name="client"/>'s random, e.g. for the mixed workload's read/write choice.</summary>
    public Random RandomOf(int client) => _randoms[client];

    public ByteString Key(int index) => UnsafeByteOperations.UnsafeWrap(Encode(index, _settings.KeySize));

    public static byte[] Encode(int index, int size)
    {
        var key = new byte[size];
        var value = (ulong)index;
        for (var i = size - 1; i >= 0 && i >= size - 8; i--)
        {
            key[i] = (byte)value;
            value >>= 8;
        }

        return key;
    }

    /// <summary>The value every put writes: --val-size bytes from the seed.</summary>
    public static ByteString Value(LoadSettings settings)
    {
        var bytes = new byte[settings.ValueSize];
        new Random(settings.Seed).NextBytes(bytes);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}
