using System.CommandLine;
using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Commands;

/// <summary>role add / delete / get / list / grant-permission / revoke-permission.</summary>
internal static class RoleCommands
{
    public static Command Create(CtlApp app)
    {
        var add = CommandRunner.Create(app, "add", "Adds a new role", async (ctx, ct) =>
        {
            var role = UserCommands.One(ctx, "role add command requires role name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.RoleAdd(role, await connection.UnaryAsync(o => connection.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = role }, o), ct).ConfigureAwait(false));
        });

        var delete = CommandRunner.Create(app, "delete", "Deletes a role", async (ctx, ct) =>
        {
            var role = UserCommands.One(ctx, "role delete command requires role name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.RoleDelete(role, await connection.UnaryAsync(o => connection.Auth.RoleDeleteAsync(new AuthRoleDeleteRequest { Role = role }, o), ct).ConfigureAwait(false));
        });

        var get = CommandRunner.Create(app, "get", "Gets detailed information of a role", async (ctx, ct) =>
        {
            var role = UserCommands.One(ctx, "role get command requires role name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.RoleGet(role, await connection.UnaryAsync(o => connection.Auth.RoleGetAsync(new AuthRoleGetRequest { Role = role }, o), ct).ConfigureAwait(false));
        });

        var list = CommandRunner.Create(app, "list", "Lists all roles", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 0)
            {
                throw CtlException.BadArgs("role list command requires no arguments");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.RoleList(await connection.UnaryAsync(o => connection.Auth.RoleListAsync(new AuthRoleListRequest(), o), ct).ConfigureAwait(false));
        });

        var grantPrefix = GlobalOptions.Flag("--prefix", "grant a prefix permission", false);
        var grantFromKey = GlobalOptions.Flag("--from-key", "grant a permission of keys that are greater than or equal to the given key using byte compare", false);
        var grant = CommandRunner.Create(app, "grant-permission", "Grants a key to a role", async (ctx, ct) =>
        {
            if (ctx.Args.Count < 3)
            {
                throw CtlException.BadArgs("role grant command requires role name, permission type, and key [endkey] as its argument");
            }

            var type = ctx.Args[1].ToUpperInvariant() switch
            {
                "READ" => Permission.Types.Type.Read,
                "WRITE" => Permission.Types.Type.Write,
                "READWRITE" => Permission.Types.Type.Readwrite,
                _ => throw CtlException.BadArgs($"invalid permission type: {ctx.Args[1]}"),
            };
            var (key, end) = PermRange(ctx.Args.Skip(2).ToList(), ctx.Value(grantPrefix), ctx.Value(grantFromKey));
            var request = new AuthRoleGrantPermissionRequest
            {
                Name = ctx.Args[0],
                Perm = new Permission { PermType = type, Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end) },
            };
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.RoleGrantPermission(ctx.Args[0], await connection.UnaryAsync(o => connection.Auth.RoleGrantPermissionAsync(request, o), ct).ConfigureAwait(false));
        }, grantPrefix, grantFromKey);

        var revokePrefix = GlobalOptions.Flag("--prefix", "revoke a prefix permission", false);
        var revokeFromKey = GlobalOptions.Flag("--from-key", "revoke a permission of keys that are greater than or equal to the given key using byte compare", false);
        var revoke = CommandRunner.Create(app, "revoke-permission", "Revokes a key from a role", async (ctx, ct) =>
        {
            if (ctx.Args.Count < 2)
            {
                throw CtlException.BadArgs("role revoke-permission command requires role name and key [endkey] as its argument");
            }

            var (key, end) = PermRange(ctx.Args.Skip(1).ToList(), ctx.Value(revokePrefix), ctx.Value(revokeFromKey));
            var request = new AuthRoleRevokePermissionRequest { Role = ctx.Args[0], Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end) };
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Auth.RoleRevokePermissionAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.RoleRevokePermission(ctx.Args[0], ctx.Args[1], end, response);
        }, revokePrefix, revokeFromKey);

        return CommandRunner.Group(app, "role", "Role related commands", add, delete, get, list, grant, revoke);
    }

    /// <summary>etcdctl's permRange: key and range end from [key, endkey] and --prefix / --from-key.</summary>
    public static (string Key, string End) PermRange(IReadOnlyList<string> args, bool prefix, bool fromKey)
    {
        var key = args[0];
        if (key.Length == 0)
        {
            if (prefix && fromKey)
            {
                throw CtlException.BadArgs("--from-key and --prefix flags are mutually exclusive");
            }

            return ("\0", prefix || fromKey ? "\0" : "");
        }

        if (args.Count == 1)
        {
            if (prefix)
            {
                return fromKey
                    ? throw CtlException.BadArgs("--from-key and --prefix flags are mutually exclusive")
                    : (key, KeyRanges.PrefixEnd(key).ToStringUtf8());
            }

            return (key, fromKey ? "\0" : "");
        }

        if (prefix)
        {
            throw CtlException.BadArgs("unexpected endkey argument with --prefix flag");
        }

        return fromKey ? throw CtlException.BadArgs("unexpected endkey argument with --from-key flag") : (key, args[1]);
    }
}
