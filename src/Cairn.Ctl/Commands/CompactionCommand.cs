using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Commands;

/// <summary>compaction [--physical] &lt;revision&gt;.</summary>
internal static class CompactionCommand
{
    public static Command Create(CtlApp app)
    {
        var physical = GlobalOptions.Flag("--physical", "'true' to wait for compaction to physically remove all old revisions", false);
        return CommandRunner.Create(app, "compaction", "Compacts the event history in etcd", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("compaction command needs 1 argument");
            }

            if (!GoParse.TryInt64(ctx.Args[0], 10, out var revision, out var error))
            {
                throw CtlException.Error(error);
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var request = new CompactionRequest { Revision = revision, Physical = ctx.Value(physical) };
            await connection.UnaryAsync(o => connection.KV.CompactAsync(request, o), ct).ConfigureAwait(false);
            ctx.Console.WriteLine($"compacted revision {revision}");
        }, physical);
    }
}
