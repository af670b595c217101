using System.CommandLine;
using System.Diagnostics;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Cairn.Ctl.Printers;
using Grpc.Core;

namespace Cairn.Ctl.Commands;

/// <summary>endpoint health / status / hashkv, each over --endpoints or (--cluster) every member's client URLs.</summary>
internal static class EndpointCommands
{
    public static Command Create(CtlApp app)
    {
        var cluster = ClusterFlag();
        var health = CommandRunner.Create(app, "health", "Checks the healthiness of endpoints specified in `--endpoints` flag", async (ctx, ct) =>
        {
            _ = ctx.Printer;
            var endpoints = await EndpointsAsync(ctx, ctx.Value(cluster), ct).ConfigureAwait(false);
            var results = await Task.WhenAll(endpoints.Select(ep => CheckHealthAsync(ctx, ep, ct))).ConfigureAwait(false);
            ctx.Printer.EndpointHealth(results);
            if (results.Any(r => r.Error.Length > 0))
            {
                throw CtlException.Error("unhealthy cluster");
            }
        });

        var status = CommandRunner.Create(app, "status", "Prints out the status of endpoints specified in `--endpoints` flag", async (ctx, ct) =>
        {
            _ = ctx.Printer;
            var list = new List<EndpointStatus>();
            var failed = false;
            foreach (var ep in await EndpointsAsync(ctx, ctx.Value(cluster), ct).ConfigureAwait(false))
            {
                try
                {
                    list.Add(new EndpointStatus(ep, await StatusAsync(ctx, ep, ct).ConfigureAwait(false)));
                }
                catch (CtlException e)
                {
                    failed = true;
                    ctx.Console.Error.WriteLine($"Failed to get the status of endpoint {ep} ({e.Message})");
                }
            }

            ctx.Printer.EndpointStatus(list);
            if (failed)
            {
                throw new CtlException(ExitCode.Error, "") { PrintMessage = false };
            }
        });

        var rev = GlobalOptions.Int64("--rev", "maximum revision to hash (default: all revisions)");
        var hashKv = CommandRunner.Create(app, "hashkv", "Prints the KV history hash for each endpoint in --endpoints", async (ctx, ct) =>
        {
            _ = ctx.Printer;
            var list = new List<EndpointHashKv>();
            CtlException? failure = null;
            foreach (var ep in await EndpointsAsync(ctx, ctx.Value(cluster), ct).ConfigureAwait(false))
            {
                try
                {
                    using var connection = await ctx.ConnectAsync(ct, ctx.Settings.For(ep)).ConfigureAwait(false);
                    var request = new HashKVRequest { Revision = ctx.Value(rev) };
                    list.Add(new EndpointHashKv(ep, await connection.UnaryAsync(o => connection.Maintenance.HashKVAsync(request, o), ct).ConfigureAwait(false)));
                }
                catch (CtlException e)
                {
                    failure = e;
                    ctx.Console.Error.WriteLine($"Failed to get the hash of endpoint {ep} ({e.Message})");
                }
            }

            ctx.Printer.EndpointHashKv(list);
            if (failure is not null)
            {
                throw failure;
            }
        }, rev);

        var group = CommandRunner.Group(app, "endpoint", "Endpoint related commands", health, status, hashKv);
        group.Options.Add(cluster);
        return group;
    }

    /// <summary>The --cluster flag (persistent on `endpoint`, and on `defrag`).</summary>
    public static Option<bool> ClusterFlag()
    {
        var flag = GlobalOptions.Flag("--cluster", "use all endpoints from the cluster member list", false);
        flag.Recursive = true;
        return flag;
    }

    /// <summary>etcdctl's endpointsFromCluster: --endpoints, or with --cluster every member's client URLs.</summary>
    public static async Task<IReadOnlyList<string>> EndpointsAsync(CtlContext ctx, bool cluster, CancellationToken ct)
    {
        if (!cluster)
        {
            return ctx.Settings.Endpoints;
        }

        try
        {
            using var connection = await ctx.ConnectAsync(ct, ctx.Settings with { UserName = null }).ConfigureAwait(false);
            var members = await connection.UnaryAsync(o => connection.Cluster.MemberListAsync(new MemberListRequest(), o), ct).ConfigureAwait(false);
            return [.. members.Members.SelectMany(m => m.ClientURLs)];
        }
        catch (CtlException e)
        {
            throw CtlException.Error($"failed to fetch endpoints from etcd cluster member list: {e.Message}");
        }
    }

    /// <summary>Maintenance.Status of one endpoint.</summary>
    public static async Task<StatusResponse> StatusAsync(CtlContext ctx, string endpoint, CancellationToken ct)
    {
        using var connection = await ctx.ConnectAsync(ct, ctx.Settings.For(endpoint)).ConfigureAwait(false);
        return await connection.UnaryAsync(o => connection.Maintenance.StatusAsync(new StatusRequest(), o), ct).ConfigureAwait(false);
    }

    /// <summary>A linearizable Get of "health"; permission denied still proves the member commits (etcdctl's rule).</summary>
    private static async Task<EndpointHealth> CheckHealthAsync(CtlContext ctx, string endpoint, CancellationToken ct)
    {
        EtcdConnection connection;
        try
        {
            connection = await ctx.ConnectAsync(ct, ctx.Settings.For(endpoint)).ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            return new EndpointHealth(endpoint, false, "", e.Message);
        }

        using (connection)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await connection.KV.RangeAsync(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("health") }, connection.Call(ct)).ConfigureAwait(false);
                return new EndpointHealth(endpoint, true, GoDuration.Format(clock.Elapsed), "");
            }
            catch (RpcException e) when (e.Status.Detail == "etcdserver: permission denied")
            {
                return new EndpointHealth(endpoint, true, GoDuration.Format(clock.Elapsed), "");
            }
            catch (RpcException e)
            {
                return new EndpointHealth(endpoint, false, GoDuration.Format(clock.Elapsed), RpcErrors.Describe(e));
            }
        }
    }
}
