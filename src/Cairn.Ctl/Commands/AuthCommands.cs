using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Grpc.Core;

namespace Cairn.Ctl.Commands;

/// <summary>auth enable / disable.</summary>
internal static class AuthCommands
{
    private const string RootRoleNotExist = "etcdserver: root user does not have root role";

    public static Command Create(CtlApp app)
    {
        var enable = CommandRunner.Create(app, "enable", "Enables authentication", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 0)
            {
                throw CtlException.BadArgs("auth enable command does not accept any arguments");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var deadline = connection.Call(ct);
            while (true)
            {
                try
                {
                    await connection.Auth.AuthEnableAsync(new AuthEnableRequest(), deadline).ConfigureAwait(false);
                    break;
                }
                catch (RpcException e) when (e.Status.Detail == RootRoleNotExist)
                {
                    // etcdctl creates the root role and grants it to root, then tries again.
                    try
                    {
                        await connection.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = "root" }, deadline).ConfigureAwait(false);
                        await connection.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" }, deadline).ConfigureAwait(false);
                    }
                    catch (RpcException inner)
                    {
                        throw Client.RpcErrors.ToCtl(inner);
                    }
                }
                catch (RpcException e)
                {
                    throw Client.RpcErrors.ToCtl(e);
                }
            }

            ctx.Console.WriteLine("Authentication Enabled");
        });

        var disable = CommandRunner.Create(app, "disable", "Disables authentication", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 0)
            {
                throw CtlException.BadArgs("auth disable command does not accept any arguments");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            await connection.UnaryAsync(o => connection.Auth.AuthDisableAsync(new AuthDisableRequest(), o), ct).ConfigureAwait(false);
            ctx.Console.WriteLine("Authentication Disabled");
        });

        return CommandRunner.Group(app, "auth", "Enable or disable authentication", enable, disable);
    }
}
