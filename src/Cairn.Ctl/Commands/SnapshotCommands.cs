using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Snapshot;
using Grpc.Core;

namespace Cairn.Ctl.Commands;

/// <summary>snapshot save / status.</summary>
internal static class SnapshotCommands
{
    public static Command Create(CtlApp app)
    {
        var save = CommandRunner.Create(app, "save", "Stores an etcd node backend snapshot to a given file", async (ctx, ct) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("snapshot save expects one argument");
            }

            if (ctx.Settings.Endpoints.Count != 1)
            {
                throw new CtlException(ExitCode.Interrupted, $"snapshot must be requested to one selected node, not multiple {GoText.Slice(ctx.Settings.Endpoints)}");
            }

            var path = ctx.Args[0];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (ctx.CommandTimeoutGiven)
            {
                timeout.CancelAfter(ctx.Settings.CommandTimeout);
            }

            try
            {
                await SaveAsync(ctx, path, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new CtlException(ExitCode.Interrupted, "context deadline exceeded");
            }

            ctx.Console.WriteLine($"Snapshot saved at {path}");
        });

        var status = CommandRunner.Create(app, "status", "Gets backend snapshot status of a given file", (ctx, _) =>
        {
            if (ctx.Args.Count != 1)
            {
                throw CtlException.BadArgs("snapshot status requires exactly one argument");
            }

            var printer = ctx.Printer;
            Printers.SnapshotStatus result;
            try
            {
                result = SnapshotInspector.Status(ctx.Args[0]);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw CtlException.Error(e.Message);
            }

            printer.DbStatus(result);
            return Task.CompletedTask;
        });

        return CommandRunner.Group(app, "snapshot", "Manages etcd node snapshots", save, status);
    }

    /// <summary>Streams Maintenance.Snapshot into PATH.part, checks the trailing SHA-256 is there, then renames.</summary>
    private static async Task SaveAsync(CtlContext ctx, string path, CancellationToken ct)
    {
        using var connection = await ctx.ConnectAsync(ct).ConfigureAwait(false);
        var part = path + ".part";
        long size = 0;
        try
        {
            await using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(part, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                using var call = connection.Maintenance.Snapshot(new SnapshotRequest(), connection.Stream(ct));
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    await file.WriteAsync(chunk.Blob.Memory, ct).ConfigureAwait(false);
                    size += chunk.Blob.Length;
                }

                // etcd appends a SHA-256 of the database, so a whole snapshot is pages plus 32 bytes.
                if (size % 512 != 32)
                {
                    throw new CtlException(ExitCode.Interrupted, $"sha256 checksum not found [bytes: {size}]");
                }

                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(part, path, overwrite: true);
        }
        catch (RpcException e)
        {
            throw Client.RpcErrors.ToCtl(e, ExitCode.Interrupted);
        }
        finally
        {
            File.Delete(part);
        }
    }
}
