using System.CommandLine;
using System.CommandLine.Parsing;

namespace Cairn.Ctl.Cli;

/// <summary>
/// etcdctl's persistent flags (ctlv3/ctl.go), with the same names, defaults and ETCDCTL_* variables. They are
/// recursive, so they may stand before or after the subcommand.
/// </summary>
internal sealed class GlobalOptions
{
    public GlobalOptions()
    {
        All =
        [
            Endpoints, Debug, WriteOut, Hex, DialTimeout, CommandTimeout, KeepAliveTime, KeepAliveTimeout, InsecureTransport,
            InsecureDiscovery, InsecureSkipTlsVerify, Cert, Key, CaCert, User, Password, DiscoverySrv, DiscoverySrvName,
        ];
        foreach (var option in All)
        {
            option.Recursive = true;
        }
    }

    public Option<string[]> Endpoints { get; } = new("--endpoints")
    {
        Description = "gRPC endpoints",
        DefaultValueFactory = _ => ["127.0.0.1:2379"],
        CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',')).Select(e => e.Trim()).Where(e => e.Length > 0)],
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Debug { get; } = Flag("--debug", "enable client-side debug logging", false);

    public Option<string> WriteOut { get; } = new("--write-out", "-w")
    {
        Description = "set the output format (fields, json, protobuf, simple, table)",
        DefaultValueFactory = _ => "simple",
    };

    public Option<bool> Hex { get; } = Flag("--hex", "print byte strings as hex encoded strings", false);

    public Option<TimeSpan> DialTimeout { get; } = Duration("--dial-timeout", "dial timeout for client connections", TimeSpan.FromSeconds(2));

    public Option<TimeSpan> CommandTimeout { get; } =
        Duration("--command-timeout", "timeout for short running command (excluding dial timeout)", TimeSpan.FromSeconds(5));

    public Option<TimeSpan> KeepAliveTime { get; } = Duration("--keepalive-time", "keepalive time for client connections", TimeSpan.FromSeconds(2));

    public Option<TimeSpan> KeepAliveTimeout { get; } =
        Duration("--keepalive-timeout", "keepalive timeout for client connections", TimeSpan.FromSeconds(6));

    public Option<bool> InsecureTransport { get; } = Flag("--insecure-transport", "disable transport security for client connections", true);

    public Option<bool> InsecureDiscovery { get; } =
        Flag("--insecure-discovery", "accept insecure SRV records describing cluster endpoints", true);

    public Option<bool> InsecureSkipTlsVerify { get; } = Flag(
        "--insecure-skip-tls-verify",
        "skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)",
        false);

    public Option<string> Cert { get; } = Text("--cert", "identify secure client using this TLS certificate file");

    public Option<string> Key { get; } = Text("--key", "identify secure client using this TLS key file");

    public Option<string> CaCert { get; } = Text("--cacert", "verify certificates of TLS-enabled secure servers using this CA bundle");

    public Option<string> User { get; } = Text("--user", "username[:password] for authentication (prompt if password is not supplied)");

    public Option<string> Password { get; } =
        Text("--password", "password for authentication (if this option is used, --user option shouldn't include password)");

    public Option<string> DiscoverySrv { get; } = new("--discovery-srv", "-d")
    {
        Description = "domain name to query for SRV records describing cluster endpoints",
        DefaultValueFactory = _ => "",
    };

    public Option<string> DiscoverySrvName { get; } = Text("--discovery-srv-name", "service name to query when using DNS discovery");

    public IReadOnlyList<Option> All { get; }

    /// <summary>ETCDCTL_ + the flag name upper-cased with dashes as underscores (pkg/flags FlagToEnv).</summary>
    public static string EnvironmentName(Option option) => "ETCDCTL_" + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>True when the option was given on the command line (not defaulted).</summary>
    public static bool IsGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>A Go-style boolean flag: <c>--flag</c>, <c>--flag=true</c> or <c>--flag=false</c>.</summary>
    public static Option<bool> Flag(string name, string description, bool defaultValue, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r => r.Tokens.Count == 0 || ParseBool(r, r.Tokens[0].Value),
        };

    public static Option<string> Text(string name, string description, string defaultValue = "") =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
                if (GoDuration.TryParse(text, out var value, out var error))
                {
                    return value;
                }

                r.AddError($"invalid argument \"{text}\" for \"{name}\" flag: {error}");
                return defaultValue;
            },
        };

    /// <summary>An int64 flag with Go's strconv error text.</summary>
    public static Option<long> Int64(string name, string description, long defaultValue = 0) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
                if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                r.AddError($"invalid argument \"{text}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax");
                return defaultValue;
            },
        };

    private static bool ParseBool(ArgumentResult result, string text)
    {
        // strconv.ParseBool's spellings.
        switch (text)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                return false;
            default:
                result.AddError($"invalid argument \"{text}\" for \"{((OptionResult)result.Parent!).Option.Name}\" flag: strconv.ParseBool: parsing \"{text}\": invalid syntax");
                return false;
        }
    }
}
