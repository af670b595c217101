using System.CommandLine;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Printers;

namespace Cairn.Ctl.Commands;

/// <summary>get, put and del.</summary>
internal static class KvCommands
{
    public static IEnumerable<Command> Create(CtlApp app)
    {
        var get = new GetOptions();
        yield return CommandRunner.Create(app, "get", "Gets the key or a range of keys", async (ctx, ct) =>
        {
            var request = get.Build(ctx.Parse, ctx.Args);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.KV.RangeAsync(request, o), ct).ConfigureAwait(false);
            if (ctx.Value(get.PrintValueOnly))
            {
                if (ctx.Printer is not SimplePrinter simple)
                {
                    throw CtlException.BadArgs("print-value-only is only for `--write-out=simple`");
                }

                simple.ValueOnly = true;
            }

            ctx.Printer.Get(response);
        }, get.All);

        var put = new PutOptions();
        yield return CommandRunner.Create(app, "put", "Puts the given key into the store", async (ctx, ct) =>
        {
            var request = await put.BuildAsync(ctx.Parse, ctx.Args, () => ctx.Console.ReadAllAsync(ct)).ConfigureAwait(false);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.KV.PutAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.Put(response);
        }, put.All);

        var del = new DelOptions();
        yield return CommandRunner.Create(app, "del", "Removes the specified key or range of keys [key, range_end)", async (ctx, ct) =>
        {
            var request = del.Build(ctx.Parse, ctx.Args);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.KV.DeleteRangeAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.Del(response);
        }, del.All);
    }
}
