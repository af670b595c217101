using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Concurrency;
using Google.Protobuf;

namespace Cairn.Ctl.Commands;

/// <summary>elect (campaign or -l observe) and lock (hold until interrupted, or run a command while holding it).</summary>
internal static class ElectLockCommands
{
    private const long DefaultSessionTtl = 60;

    public static IEnumerable<Command> Create(CtlApp app)
    {
        var listen = GlobalOptions.Flag("--listen", "observation mode", false, "-l");
        yield return CommandRunner.Create(app, "elect", "Observes and participates in leader election", async (ctx, ct) =>
        {
            if (ctx.Args.Count is not (1 or 2))
            {
                throw CtlException.BadArgs("elect takes one election name argument and an optional proposal argument");
            }

            var observe = ctx.Value(listen);
            if (ctx.Args.Count == 1 && !observe)
            {
                throw CtlException.BadArgs("no proposal argument but -l not set");
            }

            if (ctx.Args.Count == 2 && observe)
            {
                throw CtlException.BadArgs("proposal given but -l is set");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            await using var session = await Session.CreateAsync(connection, DefaultSessionTtl, ct).ConfigureAwait(false);
            var election = new Election(session, ctx.Args[0]);
            if (observe)
            {
                await ObserveAsync(ctx, election, ct).ConfigureAwait(false);
                return;
            }

            try
            {
                await election.CampaignAsync(ctx.Args[1], ct).ConfigureAwait(false);
                var leader = await connection.UnaryAsync(o => connection.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(election.Key) }, o), ct).ConfigureAwait(false);
                ctx.Printer.Get(leader);
                if (await UntilInterruptedAsync(session, ct).ConfigureAwait(false))
                {
                    throw CtlException.Error("elect: session expired");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Interrupted: resign below and exit 0, as etcdctl does on SIGINT/SIGTERM.
            }

            await election.ResignAsync(CancellationToken.None).ConfigureAwait(false);
        }, listen);

        var ttl = GlobalOptions.Int64("--ttl", "timeout for session", 10);
        yield return CommandRunner.Create(app, "lock", "Acquires a named lock", async (ctx, ct) =>
        {
            if (ctx.Args.Count == 0)
            {
                throw CtlException.BadArgs("lock takes a lock name argument and an optional command to execute");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            await using var session = await Session.CreateAsync(connection, ctx.Value(ttl), ct).ConfigureAwait(false);
            var mutex = new Concurrency.Mutex(session, ctx.Args[0]);
            try
            {
                await mutex.LockAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw CtlException.Error("context canceled");
            }

            if (ctx.Args.Count > 1)
            {
                var exit = await RunHoldingLockAsync(ctx.Args.Skip(1).ToList(), mutex).ConfigureAwait(false);
                await mutex.UnlockAsync(CancellationToken.None).ConfigureAwait(false);
                if (exit != 0)
                {
                    throw CtlException.Error($"exit status {exit}");
                }

                return;
            }

            var held = await connection.UnaryAsync(o => connection.KV.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(mutex.Key) }, o), ct).ConfigureAwait(false);
            if (held.Kvs.Count == 0)
            {
                throw CtlException.Error("lock lost on init");
            }

            ctx.Printer.Get(held);
            if (await UntilInterruptedAsync(session, ct).ConfigureAwait(false))
            {
                throw CtlException.Error("session expired");
            }

            await mutex.UnlockAsync(CancellationToken.None).ConfigureAwait(false);
        }, ttl);
    }

    /// <summary>Waits for SIGINT/SIGTERM (false) or the end of the session (true).</summary>
    private static async Task<bool> UntilInterruptedAsync(Session session, CancellationToken ct)
    {
        var interrupted = Task.Delay(Timeout.Infinite, ct);
        var first = await Task.WhenAny(interrupted, session.Done).ConfigureAwait(false);
        return first == session.Done;
    }

    private static async Task ObserveAsync(CtlContext ctx, Election election, CancellationToken ct)
    {
        try
        {
            await foreach (var response in election.ObserveAsync(ct).ConfigureAwait(false))
            {
                ctx.Printer.Get(response);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        if (!ct.IsCancellationRequested)
        {
            throw CtlException.Error("elect: observer lost");
        }
    }

    private static async Task<int> RunHoldingLockAsync(List<string> command, Concurrency.Mutex mutex)
    {
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["ETCD_LOCK_KEY"] = mutex.Key;
        psi.Environment["ETCD_LOCK_REV"] = (mutex.Header?.Revision ?? 0).ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(psi) ?? throw CtlException.Error($"exec: {command[0]}: could not start");
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode;
    }
}
