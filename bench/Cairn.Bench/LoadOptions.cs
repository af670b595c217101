using System.CommandLine;

namespace Cairn.Bench;

/// <summary>The put load's command-line options (etcd benchmark names and defaults), shared by put and compare-put.</summary>
internal sealed class LoadOptions
{
    private readonly Option<int> _conns = new("--conns") { Description = "number of gRPC connections", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _clients = new("--clients") { Description = "number of concurrent clients", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _total = new("--total") { Description = "total number of puts", DefaultValueFactory = _ => 10_000 };
    private readonly Option<int> _keySize = new("--key-size") { Description = "key size in bytes", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _valSize = new("--val-size") { Description = "value size in bytes", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _keySpace = new("--key-space-size") { Description = "keys are drawn from this many", DefaultValueFactory = _ => 1 };
    private readonly Option<bool> _sequential = new("--sequential-keys") { Description = "use keys in order instead of at random" };
    private readonly Option<int> _seed = new("--seed") { Description = "seed for keys and values", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _output = new("--output", "-o") { Description = "simple or json", DefaultValueFactory = _ => "simple" };

    public LoadOptions() => _output.AcceptOnlyFromAmong("simple", "json");

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[_conns, _clients, _total, _keySize, _valSize, _keySpace, _sequential, _seed, _output])
        {
            command.Options.Add(option);
        }
    }

    public PutSettings Read(ParseResult result) => new()
    {
        Endpoints = [],
        Conns = result.GetValue(_conns),
        Clients = result.GetValue(_clients),
        Total = result.GetValue(_total),
        KeySize = result.GetValue(_keySize),
        ValueSize = result.GetValue(_valSize),
        KeySpaceSize = result.GetValue(_keySpace),
        SequentialKeys = result.GetValue(_sequential),
        Seed = result.GetValue(_seed),
    };

    public bool Json(ParseResult result) => result.GetValue(_output) == "json";

    /// <summary>A message when the settings cannot run, else null.</summary>
    public string? Invalid(PutSettings s) =>
        s.Conns < 1 || s.Clients < 1 || s.Total < 1 || s.KeySize < 1 || s.ValueSize < 0 || s.KeySpaceSize < 1
            ? "--conns, --clients, --total, --key-size and --key-space-size must be at least 1, --val-size at least 0"
            : null;
}
