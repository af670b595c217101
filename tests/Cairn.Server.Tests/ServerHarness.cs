using Cairn.Server.Configuration;
using Cairn.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests;

/// <summary>Starts an in-process <see cref="EtcdServer"/> and waits until it leads and has published itself, so the
/// WAL is quiet when a test begins.</summary>
internal static class ServerHarness
{
    public static readonly TimeSpan Ready = TimeSpan.FromSeconds(20);

    public static ServerConfig Config(string dataDir) => new() { Name = "default", DataDir = dataDir };

    public static async Task<EtcdServer> StartAsync(ServerConfig config)
    {
        var server = await EtcdServer.StartAsync(config, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        try
        {
            await Wait.UntilAsync(
                () => server.LeaderId == server.MemberId && server.Members.Any(m => m.Id == server.MemberId && m.Name == config.Name),
                Ready, "the member to lead and publish its attributes");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
