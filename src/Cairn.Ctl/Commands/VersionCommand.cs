using System.CommandLine;
using System.Reflection;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Commands;

/// <summary>version: etcdctl's two lines (the etcdctl release cairnctl matches, and its API version), then Cairn's own.</summary>
internal static class VersionCommand
{
    public const string EtcdctlVersion = "3.4.23";
    public const string ApiVersion = "3.4";

    public static Command Create(CtlApp app) =>
        CommandRunner.Create(app, "version", "Prints the version of etcdctl", (ctx, _) =>
        {
            ctx.Console.WriteLine($"etcdctl version: {EtcdctlVersion}");
            ctx.Console.WriteLine($"API version: {ApiVersion}");
            var cairn = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            ctx.Console.WriteLine($"cairnctl version: {cairn.Split('+')[0]}");
            return Task.CompletedTask;
        });
}
