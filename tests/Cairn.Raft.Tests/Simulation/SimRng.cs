namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// The simulation's only source of randomness: SplitMix64, fully specified here, so a seed means the same run on
/// every machine, process and .NET version (System.Random's seeded algorithm is an implementation detail).
/// </summary>
public sealed class SimRng(ulong seed)
{
    private ulong _state = seed;

    public ulong NextU64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, max); max must be positive.</summary>
    public int Next(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        // Rejection sampling keeps the distribution exact.
        ulong bound = (ulong)max;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong r;
        do
        {
            r = NextU64();
        }
        while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Uniform in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextU64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => p > 0 && NextDouble() < p;

    /// <summary>A new generator whose stream is independent of this one's future draws.</summary>
    public SimRng Fork() => new(NextU64());

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
