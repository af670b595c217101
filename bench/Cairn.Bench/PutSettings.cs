namespace Cairn.Bench;

/// <summary>The put workload's knobs, named after etcd's benchmark tool flags.</summary>
internal sealed record PutSettings
{
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>gRPC connections (one HTTP/2 connection each); clients are spread over them round-robin.</summary>
    public int Conns { get; init; } = 1;

    /// <summary>Concurrent clients, each with one request in flight.</summary>
    public int Clients { get; init; } = 1;

    /// <summary>Total puts across all clients.</summary>
    public int Total { get; init; } = 10_000;

    public int KeySize { get; init; } = 8;

    public int ValueSize { get; init; } = 8;

    /// <summary>Keys are drawn from [0, KeySpaceSize).</summary>
    public int KeySpaceSize { get; init; } = 1;

    /// <summary>Keys go 0, 1, 2, ... (mod the key space) instead of at random.</summary>
    public bool SequentialKeys { get; init; }

    /// <summary>Seed for key choice and the value bytes.</summary>
    public int Seed { get; init; } = 1;

    public string Describe() =>
        $"{Total} puts, {Conns} conns, {Clients} clients, key {KeySize} B, value {ValueSize} B, key space {KeySpaceSize}{(SequentialKeys ? " sequential" : "")}";
}
