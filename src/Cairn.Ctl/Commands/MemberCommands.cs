using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Printers;

namespace Cairn.Ctl.Commands;

/// <summary>member add / remove / update / list / promote.</summary>
internal static class MemberCommands
{
    public static Command Create(CtlApp app)
    {
        var addPeerUrls = GlobalOptions.Text("--peer-urls", "comma separated peer URLs for the new member.");
        var learner = GlobalOptions.Flag("--learner", "indicates if the new member is raft learner", false);
        var add = CommandRunner.Create(app, "add", "Adds a member into the cluster", async (ctx, ct) =>
        {
            if (ctx.Args.Count < 1)
            {
                throw CtlException.BadArgs("member name not provided");
            }

            if (ctx.Args.Count > 1)
            {
                var message = "too many arguments" + string.Concat(ctx.Args
                    .Where(a => a.StartsWith("http", StringComparison.OrdinalIgnoreCase))
                    .Select(a => $", did you mean --peer-urls={a}"));
                throw CtlException.BadArgs(message);
            }

            var name = ctx.Args[0];
            var peerUrls = ctx.Value(addPeerUrls);
            if (string.IsNullOrEmpty(peerUrls))
            {
                throw CtlException.BadArgs("member peer urls not provided");
            }

            var request = new MemberAddRequest { PeerURLs = { peerUrls.Split(',') }, IsLearner = ctx.Value(learner) };
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Cluster.MemberAddAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.MemberAdd(response);
            if (ctx.Printer is SimplePrinter)
            {
                var newId = response.Member?.ID ?? 0;
                var conf = response.Members.SelectMany(m => m.PeerURLs.Select(u => $"{(m.ID == newId ? name : m.Name)}={u}"));
                ctx.Console.Write("\n");
                ctx.Console.WriteLine($"ETCD_NAME={GoText.Quote(name)}");
                ctx.Console.WriteLine($"ETCD_INITIAL_CLUSTER={GoText.Quote(string.Join(',', conf))}");
                ctx.Console.WriteLine($"ETCD_INITIAL_ADVERTISE_PEER_URLS={GoText.Quote(peerUrls)}");
                ctx.Console.WriteLine("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
            }
        }, addPeerUrls, learner);

        var remove = CommandRunner.Create(app, "remove", "Removes a member from the cluster", async (ctx, ct) =>
        {
            var id = MemberId(ctx.Args);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Cluster.MemberRemoveAsync(new MemberRemoveRequest { ID = id }, o), ct).ConfigureAwait(false);
            ctx.Printer.MemberRemove(id, response);
        });

        var updatePeerUrls = GlobalOptions.Text("--peer-urls", "comma separated peer URLs for the updated member.");
        var update = CommandRunner.Create(app, "update", "Updates a member in the cluster", async (ctx, ct) =>
        {
            var id = MemberId(ctx.Args);
            var peerUrls = ctx.Value(updatePeerUrls);
            if (string.IsNullOrEmpty(peerUrls))
            {
                throw CtlException.BadArgs("member peer urls not provided");
            }

            var request = new MemberUpdateRequest { ID = id, PeerURLs = { peerUrls.Split(',') } };
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Cluster.MemberUpdateAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.MemberUpdate(id, response);
        }, updatePeerUrls);

        var list = CommandRunner.Create(app, "list", "Lists all members in the cluster", async (ctx, ct) =>
        {
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Cluster.MemberListAsync(new MemberListRequest(), o), ct).ConfigureAwait(false);
            ctx.Printer.MemberList(response);
        });

        var promote = CommandRunner.Create(app, "promote", "Promotes a non-voting member in the cluster", async (ctx, ct) =>
        {
            var id = MemberId(ctx.Args);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Cluster.MemberPromoteAsync(new MemberPromoteRequest { ID = id }, o), ct).ConfigureAwait(false);
            ctx.Printer.MemberPromote(id, response);
        });

        return CommandRunner.Group(app, "member", "Membership related commands", add, remove, update, list, promote);
    }

    /// <summary>The one member ID argument, in hex.</summary>
    public static ulong MemberId(IReadOnlyList<string> args)
    {
        if (args.Count != 1)
        {
            throw CtlException.BadArgs("member ID is not provided");
        }

        return GoParse.TryUInt64(args[0], 16, out var id, out var error)
            ? id
            : throw CtlException.BadArgs($"bad member ID arg ({error}), expecting ID in Hex");
    }
}
