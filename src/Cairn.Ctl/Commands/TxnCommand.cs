using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Google.Protobuf;

namespace Cairn.Ctl.Commands;

/// <summary>
/// txn: compares, then success requests, then failure requests from stdin, each list ended by an empty line
/// (etcdctl's format: <c>mod("key") = "5"</c>, <c>put key value</c>, <c>get key --prefix</c>, <c>del key</c>).
/// </summary>
internal static class TxnCommand
{
    public static Command Create(CtlApp app)
    {
        var interactive = GlobalOptions.Flag("--interactive", "Input transaction in interactive mode", false, "-i");
        return CommandRunner.Create(app, "txn", "Txn processes all the requests in one transaction", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 0)
            {
                throw CtlException.BadArgs("txn command does not accept argument");
            }

            var prompt = ctx.Value(interactive);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var request = new TxnRequest();
            Prompt(ctx, prompt, "compares:");
            foreach (var line in await ReadBlockAsync(ctx.Console, ct).ConfigureAwait(false))
            {
                request.Compare.Add(ParseCompare(line));
            }

            Prompt(ctx, prompt, "success requests (get, put, del):");
            foreach (var line in await ReadBlockAsync(ctx.Console, ct).ConfigureAwait(false))
            {
                request.Success.Add(await ParseRequestAsync(line).ConfigureAwait(false));
            }

            Prompt(ctx, prompt, "failure requests (get, put, del):");
            foreach (var line in await ReadBlockAsync(ctx.Console, ct).ConfigureAwait(false))
            {
                request.Failure.Add(await ParseRequestAsync(line).ConfigureAwait(false));
            }

            // clientv3's Txn runs with a background context: no --command-timeout.
            var response = await connection.UnaryAsync(o => connection.KV.TxnAsync(request, o), ct, timeout: Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            ctx.Printer.Txn(response);
        }, interactive);
    }

    private static void Prompt(CtlContext ctx, bool interactive, string text)
    {
        if (interactive)
        {
            ctx.Console.WriteLine(text);
        }
    }

    /// <summary>Lines up to the next empty one; end of input before it is etcdctl's "EOF" error.</summary>
    private static async Task<List<string>> ReadBlockAsync(CtlConsole console, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await console.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new CtlException(ExitCode.InvalidInput, "EOF");
            line = line.Trim();
            if (line.Length == 0)
            {
                return lines;
            }

            lines.Add(line);
        }
    }

    /// <summary>One compare line: <c>target("key") op "value"</c> with target ver/version, c/create, m/mod, val/value, lease.</summary>
    public static Compare ParseCompare(string line)
    {
        var paren = line.IndexOf('(', StringComparison.Ordinal);
        if (paren < 0)
        {
            throw new CtlException(ExitCode.InvalidInput, $"malformed comparison: {line}");
        }

        var target = line[..paren];
        var rest = line[(paren + 1)..];
        if (!TryScanQuoted(ref rest, out var key) || !rest.StartsWith(')'))
        {
            throw new CtlException(ExitCode.InvalidInput, $"malformed comparison: {line}");
        }

        rest = rest[1..].TrimStart();
        var space = rest.IndexOfAny([' ', '\t']);
        var op = space < 0 ? rest : rest[..space];
        rest = space < 0 ? "" : rest[space..].TrimStart();
        if (op.Length == 0 || !TryScanQuoted(ref rest, out var value))
        {
            throw new CtlException(ExitCode.InvalidInput, $"malformed comparison: {line}");
        }

        var compare = new Compare
        {
            Key = ByteString.CopyFrom(key),
            Result = op switch
            {
                "=" => Compare.Types.CompareResult.Equal,
                "!=" => Compare.Types.CompareResult.NotEqual,
                ">" => Compare.Types.CompareResult.Greater,
                "<" => Compare.Types.CompareResult.Less,
                _ => throw new CtlException(ExitCode.InvalidInput, $"malformed comparison: {line} (unknown op {op})"),
            },
        };
        var text = GoText.Utf8(value);
        long Number() => long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CtlException(ExitCode.InvalidInput, $"invalid txn compare request: {line}");
        switch (target)
        {
            case "ver" or "version":
                compare.Target = Compare.Types.CompareTarget.Version;
                compare.Version = Number();
                break;
            case "c" or "create":
                compare.Target = Compare.Types.CompareTarget.Create;
                compare.CreateRevision = Number();
                break;
            case "m" or "mod":
                compare.Target = Compare.Types.CompareTarget.Mod;
                compare.ModRevision = Number();
                break;
            case "val" or "value":
                compare.Target = Compare.Types.CompareTarget.Value;
                compare.Value = ByteString.CopyFrom(value);
                break;
            case "lease":
                compare.Target = Compare.Types.CompareTarget.Lease;
                compare.Lease = Number();
                break;
            default:
                throw new CtlException(ExitCode.InvalidInput, $"malformed comparison: {line} (unknown target {target})");
        }

        return compare;
    }

    /// <summary>One request line, parsed with get's, put's and del's own flags.</summary>
    public static async Task<RequestOp> ParseRequestAsync(string line)
    {
        var args = Argify.Split(line);
        if (args.Count < 2)
        {
            throw new CtlException(ExitCode.InvalidInput, $"invalid txn compare request: {line}");
        }

        var get = new GetOptions();
        var put = new PutOptions();
        var del = new DelOptions();
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore };
        var root = new RootCommand();
        var commands = new[] { new Command("get"), new Command("put"), new Command("del") };
        var options = new[] { get.All, put.All, del.All };
        for (var i = 0; i < commands.Length; i++)
        {
            commands[i].Arguments.Add(rest);
            foreach (var option in options[i])
            {
                commands[i].Options.Add(option);
            }

            root.Subcommands.Add(commands[i]);
        }

        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0 || parse.CommandResult.Command == root)
        {
            throw new CtlException(ExitCode.InvalidInput, $"invalid txn request: {line}");
        }

        var positional = parse.GetValue(rest) ?? [];
        return parse.CommandResult.Command.Name switch
        {
            "get" => new RequestOp { RequestRange = get.Build(parse, positional) },
            "put" => new RequestOp { RequestPut = await put.BuildAsync(parse, positional, stdin: null).ConfigureAwait(false) },
            _ => new RequestOp { RequestDeleteRange = del.Build(parse, positional) },
        };
    }

    /// <summary>fmt.Sscanf's %q: skips spaces, then reads one Go string literal from the start of <paramref name="text"/>.</summary>
    private static bool TryScanQuoted(ref string text, out byte[] value)
    {
        value = [];
        var s = text.TrimStart();
        if (s.Length == 0 || (s[0] != '"' && s[0] != '`'))
        {
            return false;
        }

        var end = 1;
        if (s[0] == '`')
        {
            end = s.IndexOf('`', 1);
        }
        else
        {
            while (end < s.Length && s[end] != '"')
            {
                end += s[end] == '\\' ? 2 : 1;
            }
        }

        if (end < 0 || end >= s.Length || !GoText.TryUnquote(s[..(end + 1)], out value))
        {
            return false;
        }

        text = s[(end + 1)..];
        return true;
    }
}
