using System.CommandLine;
using Cairn.Api.Authpb;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Commands;

/// <summary>user add / delete / get / list / passwd / grant-role / revoke-role.</summary>
internal static class UserCommands
{
    public static Command Create(CtlApp app)
    {
        var addInteractive = GlobalOptions.Flag("--interactive", "Read password from stdin instead of interactive terminal", true);
        var newUserPassword = GlobalOptions.Text("--new-user-password", "Supply password from the command line flag");
        var noPassword = GlobalOptions.Flag("--no-password", "Create a user without password (CN based auth only)", false);
        var add = CommandRunner.Create(app, "add", "Adds a new user", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("user add command requires user name as its argument");
            }

            var request = new AuthUserAddRequest { Options = new UserAddOptions() };
            if (ctx.Value(noPassword))
            {
                request.Name = ctx.Args[0];
                request.Options.NoPassword = true;
            }
            else if (ctx.Value(newUserPassword) is { Length: > 0 } fromFlag)
            {
                (request.Name, request.Password) = (ctx.Args[0], fromFlag);
            }
            else if (ctx.Args[0].IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
            {
                (request.Name, request.Password) = (ctx.Args[0][..colon], ctx.Args[0][(colon + 1)..]);
                if (request.Name.Length == 0)
                {
                    throw CtlException.BadArgs("empty user name is not allowed");
                }
            }
            else
            {
                request.Name = ctx.Args[0];
                request.Password = await ReadPasswordAsync(ctx, ctx.Value(addInteractive), ctx.Args[0], ct).ConfigureAwait(false);
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Auth.UserAddAsync(request, o), ct).ConfigureAwait(false);
            ctx.Printer.UserAdd(request.Name, response);
        }, addInteractive, newUserPassword, noPassword);

        var delete = CommandRunner.Create(app, "delete", "Deletes a user", async (ctx, ct) =>
        {
            var name = One(ctx, "user delete command requires user name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Auth.UserDeleteAsync(new AuthUserDeleteRequest { Name = name }, o), ct).ConfigureAwait(false);
            ctx.Printer.UserDelete(name, response);
        });

        var detail = GlobalOptions.Flag("--detail", "Show permissions of roles granted to the user", false);
        var get = CommandRunner.Create(app, "get", "Gets detailed information of a user", async (ctx, ct) =>
        {
            var name = One(ctx, "user get command requires user name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var response = await connection.UnaryAsync(o => connection.Auth.UserGetAsync(new AuthUserGetRequest { Name = name }, o), ct).ConfigureAwait(false);
            if (!ctx.Value(detail))
            {
                ctx.Printer.UserGet(name, response);
                return;
            }

            ctx.Console.WriteLine($"User: {name}");
            foreach (var role in response.Roles)
            {
                ctx.Console.WriteLine();
                var roleResponse = await connection.UnaryAsync(o => connection.Auth.RoleGetAsync(new AuthRoleGetRequest { Role = role }, o), ct).ConfigureAwait(false);
                ctx.Printer.RoleGet(role, roleResponse);
            }
        }, detail);

        var list = CommandRunner.Create(app, "list", "Lists all users", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 0)
            {
                throw CtlException.BadArgs("user list command requires no arguments");
            }

            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            ctx.Printer.UserList(await connection.UnaryAsync(o => connection.Auth.UserListAsync(new AuthUserListRequest(), o), ct).ConfigureAwait(false));
        });

        var passwdInteractive = GlobalOptions.Flag("--interactive", "If true, read password from stdin instead of interactive terminal", true);
        var passwd = CommandRunner.Create(app, "passwd", "Changes password of user", async (ctx, ct) =>
        {
            var name = One(ctx, "user passwd command requires user name as its argument");
            var password = await ReadPasswordAsync(ctx, ctx.Value(passwdInteractive), name, ct).ConfigureAwait(false);
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var request = new AuthUserChangePasswordRequest { Name = name, Password = password };
            ctx.Printer.UserChangePassword(await connection.UnaryAsync(o => connection.Auth.UserChangePasswordAsync(request, o), ct).ConfigureAwait(false));
        }, passwdInteractive);

        var grantRole = CommandRunner.Create(app, "grant-role", "Grants a role to a user", async (ctx, ct) =>
        {
            var (user, role) = Two(ctx, "user grant command requires user name and role name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var request = new AuthUserGrantRoleRequest { User = user, Role = role };
            ctx.Printer.UserGrantRole(user, role, await connection.UnaryAsync(o => connection.Auth.UserGrantRoleAsync(request, o), ct).ConfigureAwait(false));
        });

        var revokeRole = CommandRunner.Create(app, "revoke-role", "Revokes a role from a user", async (ctx, ct) =>
        {
            var (user, role) = Two(ctx, "user revoke-role requires user name and role name as its argument");
            using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
            var request = new AuthUserRevokeRoleRequest { Name = user, Role = role };
            ctx.Printer.UserRevokeRole(user, role, await connection.UnaryAsync(o => connection.Auth.UserRevokeRoleAsync(request, o), ct).ConfigureAwait(false));
        });

        return CommandRunner.Group(app, "user", "User related commands", add, delete, get, list, passwd, grantRole, revokeRole);
    }

    /// <summary>
    /// --interactive (default): asked twice on the terminal and compared. --interactive=false: one
    /// whitespace-delimited word from stdin (Go's fmt.Scanf("%s")).
    /// </summary>
    private static async Task<string> ReadPasswordAsync(CtlContext ctx, bool interactive, string name, CancellationToken ct)
    {
        if (!interactive)
        {
            var line = await ctx.Console.ReadLineAsync(ct).ConfigureAwait(false) ?? "";
            return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        }

        var first = PasswordPrompt.Ask(ctx.Console, $"Password of {name}: ");
        if (first.Length == 0)
        {
            throw CtlException.BadArgs("empty password");
        }

        var second = PasswordPrompt.Ask(ctx.Console, $"Type password of {name} again for confirmation: ");
        return first == second ? first : throw CtlException.BadArgs("given passwords are different");
    }

    internal static string One(CtlContext ctx, string message) => ctx.Args.Count == 1 ? ctx.Args[0] : throw CtlException.BadArgs(message);

    private static (string, string) Two(CtlContext ctx, string message) =>
        ctx.Args.Count == 2 ? (ctx.Args[0], ctx.Args[1]) : throw CtlException.BadArgs(message);
}
