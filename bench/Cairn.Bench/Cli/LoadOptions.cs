using System.CommandLine;
using Cairn.Bench.Load;

namespace Cairn.Bench.Cli;

/// <summary>The options every workload command takes, with etcd's benchmark tool names and defaults.</summary>
internal sealed class LoadOptions
{
    private readonly Option<string> _endpoints = new("--endpoints") { Description = "comma-separated gRPC endpoints", DefaultValueFactory = _ => "127.0.0.1:2379" };
    private readonly Option<int> _conns = new("--conns") { Description = "number of gRPC connections", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _clients = new("--clients") { Description = "number of concurrent clients", DefaultValueFactory = _ => 1 };
    private readonly Option<long> _total = new("--total") { Description = "total number of requests (unless --duration)", DefaultValueFactory = _ => 10_000 };
    private readonly Option<string?> _duration = new("--duration") { Description = "run for this long instead of --total, e.g. 30s or 2m" };
    private readonly Option<int> _keySize = new("--key-size") { Description = "key size in bytes", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _valSize = new("--val-size") { Description = "value size in bytes", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _keySpace = new("--key-space-size") { Description = "keys are drawn from this many", DefaultValueFactory = _ => 1 };
    private readonly Option<bool> _sequential = new("--sequential-keys") { Description = "use keys in order instead of at random" };
    private readonly Option<double> _rate = new("--rate") { Description = "most requests per second across clients (0: no limit)", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _seed = new("--seed") { Description = "seed for keys and values", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _cacert = new("--cacert") { Description = "verify servers with this CA bundle (PEM); endpoints without a scheme use https" };
    private readonly Option<string?> _cert = new("--cert") { Description = "client certificate (PEM) for TLS" };
    private readonly Option<string?> _key = new("--key") { Description = "client certificate key (PEM) for TLS" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "simple or json", DefaultValueFactory = _ => "simple" };

    public LoadOptions() => _output.AcceptOnlyFromAmong("simple", "json");

    public void AddTo(Command command)
    {
        Option[] all = [_endpoints, _conns, _clients, _total, _duration, _keySize, _valSize, _keySpace, _sequential, _rate, _seed, _cacert, _cert, _key, _output];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The settings, or throws FormatException for a malformed --duration.</summary>
    public LoadSettings Read(ParseResult result) => new()
    {
        Endpoints = result.GetValue(_endpoints)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Conns = result.GetValue(_conns),
        Clients = result.GetValue(_clients),
        Total = result.GetValue(_total),
        Duration = DurationText.Parse(result.GetValue(_duration)),
        KeySize = result.GetValue(_keySize),
        ValueSize = result.GetValue(_valSize),
        KeySpaceSize = result.GetValue(_keySpace),
        SequentialKeys = result.GetValue(_sequential),
        Rate = result.GetValue(_rate),
        Seed = result.GetValue(_seed),
        Tls = new TlsFiles(result.GetValue(_cacert), result.GetValue(_cert), result.GetValue(_key)),
    };

    public bool Json(ParseResult result) => result.GetValue(_output) == "json";
}
