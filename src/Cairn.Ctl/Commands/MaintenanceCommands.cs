using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;

namespace Cairn.Ctl.Commands;

/// <summary>alarm disarm / list, defrag and move-leader.</summary>
internal static class MaintenanceCommands
{
    public static IEnumerable<Command> Create(CtlApp app)
    {
        var disarm = CommandRunner.Create(app, "disarm", "Disarms all alarms", async (ctx, ct) =>
        {
            NoArguments(ctx, "alarm disarm command accepts no arguments");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.Alarm(await DisarmAllAsync(connection, ct).ConfigureAwait(false));
        });
        var list = CommandRunner.Create(app, "list", "Lists all alarms", async (ctx, ct) =>
        {
            NoArguments(ctx, "alarm list command accepts no arguments");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.Alarm(await connection.UnaryAsync(o => connection.Maintenance.AlarmAsync(new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get }, o), ct).ConfigureAwait(false));
        });
        yield return CommandRunner.Group(app, "alarm", "Alarm related commands", disarm, list);

        var cluster = EndpointCommands.ClusterFlag();
        var dataDir = GlobalOptions.Text("--data-dir", "Optional. If present, defragments a data directory not in use by etcd.");
        yield return CommandRunner.Create(app, "defrag", "Defragments the storage of the etcd members with given endpoints", async (ctx, ct) =>
        {
            if (ctx.Value(dataDir) is { Length: > 0 } dir)
            {
                ctx.Console.Error.WriteLine($"Failed to defragment etcd data[{dir}] (offline defragmentation is not available in cairnctl: defragment the running member without --data-dir)");
                throw new CtlException(ExitCode.Error, "") { PrintMessage = false };
            }

            _ = ctx.Printer;
            var failures = 0;
            foreach (var ep in await EndpointCommands.EndpointsAsync(ctx, ctx.Value(cluster), ct).ConfigureAwait(false))
            {
                try
                {
                    using var connection = await ctx.ConnectAsync(ct, ctx.Settings.For(ep)).ConfigureAwait(false);
                    await connection.UnaryAsync(o => connection.Maintenance.DefragmentAsync(new DefragmentRequest(), o), ct).ConfigureAwait(false);
                    ctx.Console.WriteLine($"Finished defragmenting etcd member[{ep}]");
                }
                catch (CtlException e)
                {
                    ctx.Console.Error.WriteLine($"Failed to defragment etcd member[{ep}] ({e.Message})");
                    failures++;
                }
            }

            if (failures != 0)
            {
                throw new CtlException(ExitCode.Error, "") { PrintMessage = false };
            }
        }, cluster, dataDir);

        yield return CommandRunner.Create(app, "move-leader", "Transfers leadership to another etcd cluster member.", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("move-leader command needs 1 argument");
            }

            if (!GoParse.TryUInt64(ctx.Args[0], 16, out var target, out var error))
            {
                throw CtlException.BadArgs(error);
            }

            foreach (var ep in ctx.Settings.Endpoints)
            {
                using var connection = await ctx.ConnectAsync(ct, ctx.Settings.For(ep)).ConfigureAwait(false);
                var status = await connection.UnaryAsync(o => connection.Maintenance.StatusAsync(new StatusRequest(), o), ct).ConfigureAwait(false);
                if (status.Header?.MemberId != status.Leader)
                {
                    continue;
                }

                var response = await connection.UnaryAsync(o => connection.Maintenance.MoveLeaderAsync(new MoveLeaderRequest { TargetID = target }, o), ct).ConfigureAwait(false);
                ctx.Printer.MoveLeader(status.Leader, target, response);
                return;
            }

            throw CtlException.BadArgs($"no leader endpoint given at {GoText.Slice(ctx.Settings.Endpoints)}");
        });
    }

    /// <summary>clientv3 AlarmDisarm of the zero member: lists the alarms, disarms each, and returns them (no header).</summary>
    public static async Task<AlarmResponse> DisarmAllAsync(EtcdConnection connection, CancellationToken ct)
    {
        var listed = await connection.UnaryAsync(o => connection.Maintenance.AlarmAsync(new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get }, o), ct).ConfigureAwait(false);
        var result = new AlarmResponse();
        foreach (var alarm in listed.Alarms)
        {
            var request = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = alarm.MemberID, Alarm = alarm.Alarm };
            var disarmed = await connection.UnaryAsync(o => connection.Maintenance.AlarmAsync(request, o), ct).ConfigureAwait(false);
            result.Alarms.Add(disarmed.Alarms);
        }

        return result;
    }

    private static void NoArguments(CtlContext ctx, string message)
    {
        if (ctx.Args.Count != 0)
        {
            throw CtlException.BadArgs(message);
        }
    }
}
