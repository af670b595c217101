using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Printers;
using Grpc.Core;

namespace Cairn.Ctl.Commands;

/// <summary>lease grant / revoke / timetolive / list / keep-alive.</summary>
internal static class LeaseCommands
{
    public static Command Create(CtlApp app)
    {
        var grant = CommandRunner.Create(app, "grant", "Creates leases", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("lease grant command needs TTL argument");
            }

            if (!GoParse.TryInt64(ctx.Args[0], 10, out var ttl, out var error))
            {
                throw CtlException.BadArgs($"bad TTL ({error})");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await Wrap("failed to grant lease", () => connection.UnaryAsync(o => connection.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, o), ct)).ConfigureAwait(false);
            ctx.Printer.Grant(response);
        });

        var revoke = CommandRunner.Create(app, "revoke", "Revokes leases", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("lease revoke command needs 1 argument");
            }

            var id = LeaseId(ctx.Args[0]);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await Wrap("failed to revoke lease", () => connection.UnaryAsync(o => connection.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = id }, o), ct)).ConfigureAwait(false);
            ctx.Printer.Revoke(id, response);
        });

        var keys = GlobalOptions.Flag("--keys", "Get keys attached to this lease", false);
        var timeToLive = CommandRunner.Create(app, "timetolive", "Get lease information", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("lease timetolive command needs lease ID as argument");
            }

            var request = new LeaseTimeToLiveRequest { ID = LeaseId(ctx.Args[0]), Keys = ctx.Value(keys) };
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Lease.LeaseTimeToLiveAsync(request, o), ct, ExitCode.BadConnection).ConfigureAwait(false);
            ctx.Printer.TimeToLive(response, request.Keys);
        }, keys);

        var list = CommandRunner.Create(app, "list", "List all active leases", async (ctx, ct) =>
        {
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Lease.LeaseLeasesAsync(new LeaseLeasesRequest(), o), ct, ExitCode.BadConnection).ConfigureAwait(false);
            ctx.Printer.Leases(response);
        });

        var once = GlobalOptions.Flag("--once", "Resets the keep-alive time to its original value and exits immediately", false);
        var keepAlive = CommandRunner.Create(app, "keep-alive", "Keeps leases alive (renew)", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("lease keep-alive command needs lease ID as argument");
            }

            var id = LeaseId(ctx.Args[0]);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            if (ctx.Value(once))
            {
                ctx.Printer.KeepAlive(await KeepAliveOnceAsync(connection, id, ct).ConfigureAwait(false));
                return;
            }

            await KeepAliveLoopAsync(connection, id, ctx.Printer, ct).ConfigureAwait(false);
            if (ctx.Printer is SimplePrinter)
            {
                ctx.Console.WriteLine($"lease {GoText.LeaseHex(id)} expired or revoked.");
            }
        }, once);

        return CommandRunner.Group(app, "lease", "Lease related commands", grant, revoke, timeToLive, list, keepAlive);
    }

    /// <summary>A lease ID argument in hex, with etcdctl's error.</summary>
    public static long LeaseId(string text) =>
        GoParse.TryInt64(text, 16, out var id, out var error) ? id : throw CtlException.BadArgs($"bad lease ID arg ({error}), expecting ID in Hex");

    /// <summary>clientv3 KeepAliveOnce: one request on a keep-alive stream; TTL ≤ 0 means the lease is gone.</summary>
    public static async Task<LeaseKeepAliveResponse> KeepAliveOnceAsync(Client.EtcdConnection connection, long id, CancellationToken ct)
    {
        try
        {
            using var call = connection.Lease.LeaseKeepAlive(connection.Call(ct));
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, ct).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
            {
                throw new CtlException(ExitCode.BadConnection, "lease keepalive stream closed");
            }

            var response = call.ResponseStream.Current;
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return response.TTL <= 0 ? throw new CtlException(ExitCode.BadConnection, "etcdserver: requested lease not found") : response;
        }
        catch (RpcException e)
        {
            throw Client.RpcErrors.ToCtl(e, ExitCode.BadConnection);
        }
    }

    /// <summary>clientv3 KeepAlive: renews every TTL/3 and prints each answer until the lease is gone.</summary>
    private static async Task KeepAliveLoopAsync(Client.EtcdConnection connection, long id, Printer printer, CancellationToken ct)
    {
        try
        {
            using var call = connection.Lease.LeaseKeepAlive(connection.Stream(ct));
            while (true)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, ct).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false) || call.ResponseStream.Current.TTL <= 0)
                {
                    return;
                }

                var response = call.ResponseStream.Current;
                printer.KeepAlive(response);
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, response.TTL / 3.0)), ct).ConfigureAwait(false);
            }
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            throw Client.RpcErrors.ToCtl(e, ExitCode.BadConnection);
        }
    }

    private static async Task<T> Wrap<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (CtlException e)
        {
            throw new CtlException(e.ExitCode, $"{what} ({e.Message})", e);
        }
    }
}
