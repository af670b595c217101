using System.CommandLine;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Commands;

/// <summary>Every top-level command, in etcdctl's order, then Cairn's own `pki`.</summary>
internal static class CommandSet
{
    public static IEnumerable<Command> All(CtlApp app)
    {
        foreach (var command in KvCommands.Create(app))
        {
            yield return command;
        }

        yield return TxnCommand.Create(app);
        yield return CompactionCommand.Create(app);
        foreach (var command in MaintenanceCommands.Create(app))
        {
            yield return command;
        }

        yield return EndpointCommands.Create(app);
        yield return WatchCommand.Create(app);
        yield return VersionCommand.Create(app);
        yield return LeaseCommands.Create(app);
        yield return MemberCommands.Create(app);
        yield return SnapshotCommands.Create(app);
        foreach (var command in ElectLockCommands.Create(app))
        {
            yield return command;
        }

        yield return AuthCommands.Create(app);
        yield return UserCommands.Create(app);
        yield return RoleCommands.Create(app);
        yield return CheckCommands.Create(app);
        yield return PkiCommands.Create(app);
    }
}
