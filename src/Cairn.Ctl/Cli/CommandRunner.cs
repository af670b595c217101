using System.CommandLine;

namespace Cairn.Ctl.Cli;

/// <summary>Helpers that every command file uses to declare a command the way etcdctl's cobra commands behave.</summary>
internal static class CommandRunner
{
    /// <summary>
    /// A command whose positional arguments arrive as one list (etcdctl checks counts itself, with its own messages),
    /// and whose handler gets a <see cref="CtlContext"/>.
    /// </summary>
    public static Command Create(CtlApp app, string name, string description, Func<CtlContext, CancellationToken, Task> handler, params Option[] options)
    {
        var command = new Command(name, description);
        var args = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "arguments" };
        command.Arguments.Add(args);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            RejectUnknownFlags(app.RawArgs, parse.GetValue(args) ?? []);
            var context = new CtlContext(parse, app.Globals, app.Console, app.Env) { Args = parse.GetValue(args) ?? [], RawArgs = app.RawArgs };
            await handler(context, cancellationToken).ConfigureAwait(false);
            return ExitCode.Success;
        });
        return command;
    }

    /// <summary>
    /// cobra refuses a dash-led token that is no known flag ("unknown flag: --x"); System.CommandLine would take it as
    /// an argument. Tokens after "--" are arguments, as in cobra.
    /// </summary>
    private static void RejectUnknownFlags(IReadOnlyList<string> rawArgs, IReadOnlyList<string> positional)
    {
        var separator = rawArgs.ToList().IndexOf("--");
        var beforeSeparator = separator < 0 ? rawArgs : rawArgs.Take(separator).ToList();
        foreach (var arg in positional)
        {
            if (arg.Length > 1 && arg[0] == '-' && beforeSeparator.Contains(arg))
            {
                throw CtlException.Error(arg.StartsWith("--", StringComparison.Ordinal)
                    ? $"unknown flag: {arg}"
                    : $"unknown shorthand flag: '{arg[1]}' in {arg}");
            }
        }
    }

    /// <summary>A command group (lease, member, ...): on its own it prints its usage, as cobra does.</summary>
    public static Command Group(CtlApp app, string name, string description, params Command[] subcommands)
    {
        var command = new Command(name, description);
        foreach (var sub in subcommands)
        {
            command.Subcommands.Add(sub);
        }

        command.SetAction(_ =>
        {
            app.Console.WriteLine($"{description}\n\nUsage:\n  cairnctl {name} <subcommand>\n\nSubcommands:");
            foreach (var sub in subcommands)
            {
                app.Console.WriteLine($"  {sub.Name,-20} {sub.Description}");
            }

            return ExitCode.Success;
        });
        return command;
    }
}
