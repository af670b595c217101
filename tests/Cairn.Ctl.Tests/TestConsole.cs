using System.Text;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Tests;

/// <summary>An in-memory console: what a command wrote to stdout (raw bytes) and stderr, and optional stdin.</summary>
internal sealed class TestConsole
{
    private readonly MemoryStream _stdout = new();
    private readonly StringWriter _stderr = new();

    public TestConsole(string stdin = "") => Console = new CtlConsole(_stdout, _stderr, new MemoryStream(Encoding.UTF8.GetBytes(stdin)));

    public CtlConsole Console { get; }

    public string Stdout => Encoding.UTF8.GetString(_stdout.ToArray());

    public byte[] StdoutBytes => _stdout.ToArray();

    public string Stderr => _stderr.ToString();

    /// <summary>Runs cairnctl in-process with this console and the given ETCDCTL_* environment.</summary>
    public Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = environment ?? new Dictionary<string, string>();
        var app = new CtlApp(Console, name => env.TryGetValue(name, out var v) ? v : null, () => env.Keys);
        return app.RunAsync(args, CancellationToken.None);
    }
}
