using System.CommandLine;
using System.CommandLine.Parsing;
using Cairn.Ctl.Commands;

namespace Cairn.Ctl.Cli;

/// <summary>
/// The cairnctl command tree and its run loop: parse (System.CommandLine), apply ETCDCTL_* variables to global flags
/// that were not given, run the command, and turn an expected failure into etcdctl's <c>Error: ...</c> and exit code.
/// </summary>
internal sealed class CtlApp
{
    private readonly Func<string, string?> _environment;
    private readonly Func<IEnumerable<string>> _environmentNames;

    public CtlApp(CtlConsole console, Func<string, string?> environment, Func<IEnumerable<string>> environmentNames)
    {
        Console = console;
        _environment = environment;
        _environmentNames = environmentNames;
        Root = new RootCommand("A simple command line client for etcd3 (Cairn's etcdctl), with a built-in PKI.");
        foreach (var option in Globals.All)
        {
            Root.Options.Add(option);
        }

        foreach (var command in CommandSet.All(this))
        {
            Root.Subcommands.Add(command);
        }
    }

    public CtlConsole Console { get; }

    /// <summary>Environment lookup (injected so tests control ETCDCTL_* variables).</summary>
    public Func<string, string?> Env => _environment;

    public GlobalOptions Globals { get; } = new();

    public RootCommand Root { get; }

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var app = new CtlApp(
            CtlConsole.System(),
            Environment.GetEnvironmentVariable,
            () => Environment.GetEnvironmentVariables().Keys.Cast<string>());
        return app.RunAsync(args, cancellationToken);
    }

    /// <summary>The command line as given (watch and lock look for "--" and what follows it).</summary>
    public IReadOnlyList<string> RawArgs { get; private set; } = [];

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        RawArgs = args;
        try
        {
            var parse = ParseWithEnvironment(args);
            if (parse.Errors.Count > 0)
            {
                throw CtlException.Error(DescribeParseError(parse.Errors[0]));
            }

            var invocation = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = new StringWriterToConsole(Console),
                Error = Console.Error,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            if (e.PrintMessage)
            {
                Console.Error.WriteLine("Error: " + e.Message);
            }

            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCode.Interrupted;
        }
    }

    /// <summary>Parses <paramref name="args"/>; a global flag not given takes its ETCDCTL_* variable, as pkg/flags does.</summary>
    public ParseResult ParseWithEnvironment(IReadOnlyList<string> args)
    {
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var parse = Root.Parse(args, configuration);
        var injected = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in Globals.All)
        {
            var name = GlobalOptions.EnvironmentName(option);
            if (_environment(name) is not { Length: > 0 } value)
            {
                continue;
            }

            used.Add(name);
            if (GlobalOptions.IsGiven(parse, option))
            {
                Console.Error.WriteLine(
                    $"cairnctl: environment variable {name}={value} is shadowed by the {option.Name} flag; the flag wins");
                continue;
            }

            injected.Add($"{option.Name}={value}");
        }

        foreach (var name in _environmentNames().Where(n => n.StartsWith("ETCDCTL_", StringComparison.Ordinal) && !used.Contains(n)))
        {
            if (name is not ("ETCDCTL_API" or "ETCDCTL_WATCH_KEY" or "ETCDCTL_WATCH_RANGE_END"))
            {
                Console.Error.WriteLine($"cairnctl: unrecognized environment variable {name}={_environment(name)}");
            }
        }

        return injected.Count == 0 ? parse : Root.Parse([.. injected, .. args], configuration);
    }

    private static string DescribeParseError(ParseError error)
    {
        var message = error.Message;
        // System.CommandLine's wording for what cobra calls an unknown flag or command.
        const string unrecognized = "Unrecognized command or argument '";
        if (message.StartsWith(unrecognized, StringComparison.Ordinal) && message.EndsWith("'.", StringComparison.Ordinal))
        {
            var token = message[unrecognized.Length..^2];
            return token.StartsWith('-') ? $"unknown flag: {token}" : $"unknown command \"{token}\" for \"cairnctl\"";
        }

        return message;
    }

    /// <summary>Help text goes through the console so it shares stdout with everything else.</summary>
    private sealed class StringWriterToConsole(CtlConsole console) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => console.Write(value.ToString());

        public override void Write(string? value) => console.Write(value ?? "");
    }
}
