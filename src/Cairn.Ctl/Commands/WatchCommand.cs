using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cairn.Api.Etcdserverpb;
using Cairn.Api.Mvccpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Ctl.Commands;

/// <summary>
/// watch [options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...], and watch -i (lines of
/// "watch ..." and "progress" on stdin). ETCDCTL_WATCH_KEY / ETCDCTL_WATCH_RANGE_END stand in for the key arguments.
/// </summary>
internal static class WatchCommand
{
    private const string BadArgsNum = "bad number of arguments";
    private const string BadArgsConflictEnv = "bad number of arguments (found conflicting environment key)";
    private const string BadArgsSeparator = "bad number of arguments (found separator --, but no commands)";

    /// <summary>watch's own flags; a fresh set per parse (watch -i parses each line with its own).</summary>
    internal sealed class Flags
    {
        public Option<bool> Interactive { get; } = GlobalOptions.Flag("--interactive", "Interactive mode", false, "-i");

        public Option<bool> Prefix { get; } = GlobalOptions.Flag("--prefix", "Watch on a prefix if prefix is set", false);

        public Option<long> Rev { get; } = GlobalOptions.Int64("--rev", "Revision to start watching");

        public Option<bool> PrevKv { get; } = GlobalOptions.Flag("--prev-kv", "get the previous key-value pair before the event happens", false);

        public Option[] All => [Interactive, Prefix, Rev, PrevKv];
    }

    public static Command Create(CtlApp app)
    {
        var flags = new Flags();
        return CommandRunner.Create(app, "watch", "Watches events stream on keys or prefixes", (ctx, ct) => RunAsync(ctx, flags, ct), flags.All);
    }

    private static async Task RunAsync(CtlContext ctx, Flags flags, CancellationToken ct)
    {
        var envKey = ctx.Environment("ETCDCTL_WATCH_KEY") ?? "";
        var envRange = ctx.Environment("ETCDCTL_WATCH_RANGE_END") ?? "";
        if (envKey.Length == 0 && envRange.Length > 0)
        {
            throw CtlException.BadArgs($"ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END={GoText.Quote(envRange)}");
        }

        if (ctx.Value(flags.Interactive))
        {
            await InteractiveAsync(ctx, envKey, envRange, ct).ConfigureAwait(false);
            return;
        }

        var (watchArgs, execArgs) = SplitArguments(ctx.RawArgs, ctx.Args, envKey, envRange);
        var create = BuildCreate(watchArgs, ctx.Value(flags.Prefix), ctx.Value(flags.Rev), ctx.Value(flags.PrevKv));
        using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
        await using var stream = WatchStream.Open(connection, requireLeader: true, ct);
        var reader = await stream.CreateAsync(create, ct).ConfigureAwait(false);
        await PrintAsync(ctx, reader, execArgs, ct).ConfigureAwait(false);
        throw new CtlException(ExitCode.Interrupted, "watch is canceled by the server");
    }

    /// <summary>etcdctl's parseWatchArgs for the command line: the key arguments, and the command after "--".</summary>
    public static (List<string> WatchArgs, List<string> ExecArgs) SplitArguments(
        IReadOnlyList<string> rawArgs, IReadOnlyList<string> positional, string envKey, string envRange)
    {
        var watchIndex = rawArgs.ToList().IndexOf("watch");
        var raw = rawArgs.Skip(watchIndex + 1).ToList();
        var separator = raw.IndexOf("--");
        if (separator >= 0 && separator == raw.Count - 1)
        {
            throw CtlException.BadArgs(BadArgsSeparator);
        }

        var execArgs = separator >= 0 ? raw[(separator + 1)..] : [];
        var keyArgs = positional.Take(positional.Count - execArgs.Count).ToList();
        if (separator < 0 && raw.Count < 1 && envKey.Length == 0)
        {
            throw CtlException.BadArgs(BadArgsNum);
        }

        if (envKey.Length > 0 && keyArgs.Count > 0)
        {
            throw CtlException.BadArgs(BadArgsConflictEnv);
        }

        if (envKey.Length > 0)
        {
            keyArgs = envRange.Length > 0 ? [envKey, envRange] : [envKey];
        }

        if (keyArgs.Count == 0)
        {
            throw CtlException.BadArgs(BadArgsNum);
        }

        return (keyArgs, execArgs);
    }

    /// <summary>etcdctl's getWatchChan: key, optional range end or --prefix, --rev and --prev-kv.</summary>
    public static WatchCreateRequest BuildCreate(IReadOnlyList<string> args, bool prefix, long rev, bool prevKv)
    {
        if (args.Count < 1)
        {
            throw CtlException.BadArgs(BadArgsNum);
        }

        var create = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(args[0]), StartRevision = rev, PrevKv = prevKv };
        if (args.Count == 2)
        {
            if (prefix)
            {
                throw CtlException.BadArgs("`range_end` and `--prefix` are mutually exclusive");
            }

            create.RangeEnd = ByteString.CopyFromUtf8(args[1]);
        }

        if (prefix)
        {
            GetOptions.ApplyRangeFlags(create.Key, prefix: true, fromKey: false, k => create.Key = k, e => create.RangeEnd = e);
        }

        return create;
    }

    private static async Task InteractiveAsync(CtlContext ctx, string envKey, string envRange, CancellationToken ct)
    {
        using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
        await using var stream = WatchStream.Open(connection, requireLeader: true, ct);
        var printers = new List<Task>();
        while (true)
        {
            var line = await ctx.Console.ReadLineAsync(ct).ConfigureAwait(false)
                ?? throw new CtlException(ExitCode.InvalidInput, "Error reading watch request line: EOF");
            var args = Argify.Split(line);
            if (args.Count < 1)
            {
                ctx.Console.Error.WriteLine($"Invalid command: {line} (watch and progress supported)");
                continue;
            }

            switch (args[0])
            {
                case "watch":
                    if (args.Count < 2 && envKey.Length == 0)
                    {
                        ctx.Console.Error.WriteLine($"Invalid command {line} (command type or key is not provided)");
                        continue;
                    }

                    var (create, execArgs) = ParseInteractive(args.Skip(1).ToList(), envKey, envRange, line, ctx);
                    if (create is null)
                    {
                        continue;
                    }

                    var reader = await stream.CreateAsync(create, ct).ConfigureAwait(false);
                    printers.Add(PrintAsync(ctx, reader, execArgs, ct));
                    break;
                case "progress":
                    await stream.RequestProgressAsync(ct).ConfigureAwait(false);
                    break;
                default:
                    ctx.Console.Error.WriteLine($"Invalid command {line} (only support watch)");
                    break;
            }
        }
    }

    private static (WatchCreateRequest? Create, List<string> ExecArgs) ParseInteractive(
        List<string> args, string envKey, string envRange, string line, CtlContext ctx)
    {
        var separator = args.IndexOf("--");
        if (separator >= 0 && separator == args.Count - 1)
        {
            throw CtlException.BadArgs(BadArgsSeparator);
        }

        var execArgs = separator >= 0 ? args[(separator + 1)..] : [];
        var flags = new Flags();
        var keyArgument = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore };
        var command = new RootCommand();
        command.Arguments.Add(keyArgument);
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        var parse = command.Parse(separator >= 0 ? args[..separator] : args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            throw CtlException.BadArgs(parse.Errors[0].Message);
        }

        var keys = (parse.GetValue(keyArgument) ?? []).ToList();
        if (separator < 0 && envKey.Length == 0 && keys.Count < 1)
        {
            throw CtlException.BadArgs(BadArgsNum);
        }

        if (separator < 0 && keys.Count > 0 && envKey.Length > 0)
        {
            throw CtlException.BadArgs(BadArgsConflictEnv);
        }

        if (envKey.Length > 0)
        {
            keys = [envKey, .. envRange.Length > 0 ? new[] { envRange } : [], .. keys];
        }

        try
        {
            return (BuildCreate(keys, parse.GetValue(flags.Prefix), parse.GetValue(flags.Rev), parse.GetValue(flags.PrevKv)), execArgs);
        }
        catch (CtlException e)
        {
            ctx.Console.Error.WriteLine($"Invalid command {line} ({e.Message})");
            return (null, execArgs);
        }
    }

    /// <summary>etcdctl's printWatchCh: each response printed; events optionally run the exec command.</summary>
    private static async Task PrintAsync(CtlContext ctx, System.Threading.Channels.ChannelReader<WatchResponse> reader, List<string> execArgs, CancellationToken ct)
    {
        try
        {
            await foreach (var response in reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (response.Canceled)
                {
                    ctx.Console.Error.WriteLine($"watch was canceled ({CancelError(response)})");
                }

                if (IsProgressNotify(response))
                {
                    ctx.Console.WriteLine($"progress notify: {response.Header?.Revision ?? 0}");
                }

                ctx.Printer.Watch(response);
                if (execArgs.Count > 0)
                {
                    foreach (var e in response.Events)
                    {
                        await RunExecAsync(execArgs, response, e, ct).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (RpcException e)
        {
            ctx.Console.Error.WriteLine($"watch was canceled ({RpcErrors.Describe(e)})");
        }
    }

    /// <summary>clientv3's WatchResponse.Err() for a canceled response.</summary>
    public static string CancelError(WatchResponse response) =>
        response.CompactRevision != 0 ? "etcdserver: mvcc: required revision has been compacted"
        : response.CancelReason.Length == 0 ? "etcdserver: mvcc: required revision is a future revision"
        : response.CancelReason.StartsWith("etcdserver: ", StringComparison.Ordinal) ? response.CancelReason
        : $"rpc error: code = FailedPrecondition desc = {response.CancelReason}";

    public static bool IsProgressNotify(WatchResponse r) =>
        r.Events.Count == 0 && !r.Canceled && !r.Created && r.CompactRevision == 0 && (r.Header?.Revision ?? 0) != 0;

    private static async Task RunExecAsync(List<string> execArgs, WatchResponse response, Event e, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(execArgs[0]) { UseShellExecute = false };
        foreach (var arg in execArgs.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["ETCD_WATCH_REVISION"] = (response.Header?.Revision ?? 0).ToString(CultureInfo.InvariantCulture);
        psi.Environment["ETCD_WATCH_EVENT_TYPE"] = GoText.Quote(e.Type == Event.Types.EventType.Put ? "PUT" : "DELETE");
        psi.Environment["ETCD_WATCH_KEY"] = GoText.Quote((e.Kv?.Key ?? ByteString.Empty).Span);
        psi.Environment["ETCD_WATCH_VALUE"] = GoText.Quote((e.Kv?.Value ?? ByteString.Empty).Span);
        using var process = Process.Start(psi) ?? throw CtlException.Error($"command {GoText.Slice(execArgs)} could not start");
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new CtlException(ExitCode.Error, $"command {GoText.Quote(GoText.Slice(execArgs))} error (exit status {process.ExitCode})") { PrintMessage = true };
        }
    }
}
