using System.Text;
using System.Text.Json;
using Cairn.Testing;

namespace Cairn.Tests.Etcdctl;

/// <summary>Base for scripted etcdctl sessions against a fresh single member: helpers that run and check etcdctl.</summary>
public abstract class EtcdctlTest : SingleMemberTest
{
    /// <summary>Runs etcdctl ARGS; the result may be a failure.</summary>
    protected Task<CommandResult> Ctl(params string[] arguments) => Cluster.Etcdctl().RunAsync(arguments);

    /// <summary>Runs etcdctl ARGS and asserts exit code 0.</summary>
    protected async Task<CommandResult> Ok(params string[] arguments)
    {
        var result = await Ctl(arguments);
        Assert.True(result.Succeeded, result.ToString());
        return result;
    }

    /// <summary>Runs etcdctl ARGS and asserts that it fails with <paramref name="message"/> on stderr.</summary>
    protected async Task<CommandResult> Fails(string message, params string[] arguments)
    {
        var result = await Ctl(arguments);
        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        return result;
    }

    /// <summary>The non-empty lines etcdctl printed (etcdctl puts an empty line after each key with --keys-only).</summary>
    protected async Task<string[]> NonEmptyLines(params string[] arguments) =>
        (await Ok(arguments)).Lines.Where(l => l.Length > 0).ToArray();

    /// <summary>Runs etcdctl ARGS -w json and parses the answer.</summary>
    protected async Task<JsonElement> Json(params string[] arguments)
    {
        var result = await Ok([.. arguments, "-w", "json"]);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Puts each pair in order (one revision each), asserting etcdctl's "OK".</summary>
    protected async Task Put(params (string Key, string Value)[] pairs)
    {
        foreach (var (key, value) in pairs)
        {
            Assert.Equal(["OK"], (await Ok("put", key, value)).Lines);
        }
    }

    /// <summary>The store's current revision, from a get's response header.</summary>
    protected async Task<long> CurrentRevision() =>
        (await Json("get", "revision-probe")).GetProperty("header").GetProperty("revision").GetInt64();

    protected static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
