using System.CommandLine;
using Cairn.Ctl.Client;
using Cairn.Ctl.Printers;

namespace Cairn.Ctl.Cli;

/// <summary>
/// What a running command has: its parse result, the resolved global settings (flags, then ETCDCTL_* variables), the
/// output printer for -w/--hex, the console, and a way to connect.
/// </summary>
internal sealed class CtlContext
{
    private readonly GlobalOptions _globals;
    private Printer? _printer;

    public CtlContext(ParseResult parse, GlobalOptions globals, CtlConsole console, Func<string, string?> environment)
    {
        Parse = parse;
        _globals = globals;
        Console = console;
        Environment = environment;
        Settings = BuildSettings(parse, globals, console);
    }

    public ParseResult Parse { get; }

    public CtlConsole Console { get; }

    public Func<string, string?> Environment { get; }

    public ClientSettings Settings { get; }

    public string OutputFormat => Parse.GetValue(_globals.WriteOut) ?? "simple";

    public bool Hex => Parse.GetValue(_globals.Hex);

    /// <summary>True when --command-timeout was given (snapshot save only bounds itself then).</summary>
    public bool CommandTimeoutGiven => GlobalOptions.IsGiven(Parse, _globals.CommandTimeout);

    /// <summary>The printer for -w; created on first use so commands can reject bad arguments first, as etcdctl does.</summary>
    public Printer Printer => _printer ??= Printer.Create(OutputFormat, Hex, Console);

    /// <summary>The positional arguments of the command (every command takes them as one list and checks them itself).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The whole command line as given.</summary>
    public IReadOnlyList<string> RawArgs { get; init; } = [];

    public T Value<T>(Option<T> option) => Parse.GetValue(option)!;

    /// <summary>Connects to every --endpoints entry (or <paramref name="settings"/>).</summary>
    /// <remarks>Like etcdctl's mustClientFromCmd, this also settles the output format first, so -w errors come early.</remarks>
    public Task<EtcdConnection> ConnectAsync(CancellationToken cancellationToken, ClientSettings? settings = null)
    {
        _ = Printer;
        return EtcdConnection.ConnectAsync(settings ?? Settings, cancellationToken);
    }

    private static ClientSettings BuildSettings(ParseResult parse, GlobalOptions g, CtlConsole console)
    {
        foreach (var (option, name) in new[] { (g.Cert, "--cert"), (g.Key, "--key"), (g.CaCert, "--cacert") })
        {
            if (GlobalOptions.IsGiven(parse, option) && string.IsNullOrEmpty(parse.GetValue(option)))
            {
                throw CtlException.BadArgs($"empty string is passed to {name} option");
            }
        }

        string? user = null;
        var password = "";
        var userFlag = parse.GetValue(g.User) ?? "";
        if (userFlag.Length > 0)
        {
            var passwordFlag = parse.GetValue(g.Password) ?? "";
            if (passwordFlag.Length > 0)
            {
                (user, password) = (userFlag, passwordFlag);
            }
            else if (userFlag.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
            {
                (user, password) = (userFlag[..colon], userFlag[(colon + 1)..]);
            }
            else
            {
                user = userFlag;
                password = PasswordPrompt.Ask(console, "Password: ");
            }
        }

        var insecureDiscovery = parse.GetValue(g.InsecureDiscovery);
        return new ClientSettings
        {
            Endpoints = parse.GetValue(g.Endpoints) ?? ["127.0.0.1:2379"],
            DialTimeout = parse.GetValue(g.DialTimeout),
            CommandTimeout = parse.GetValue(g.CommandTimeout),
            KeepAliveTime = parse.GetValue(g.KeepAliveTime),
            KeepAliveTimeout = parse.GetValue(g.KeepAliveTimeout),
            InsecureTransport = parse.GetValue(g.InsecureTransport),
            InsecureSkipTlsVerify = parse.GetValue(g.InsecureSkipTlsVerify),
            CertFile = parse.GetValue(g.Cert) ?? "",
            KeyFile = parse.GetValue(g.Key) ?? "",
            TrustedCaFile = parse.GetValue(g.CaCert) ?? "",
            ServerName = insecureDiscovery ? "" : parse.GetValue(g.DiscoverySrv) ?? "",
            UserName = user,
            Password = password,
        };
    }
}
