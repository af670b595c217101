using Cairn.Testing;

namespace Cairn.Tests.Etcdctl;

/// <summary>etcdctl txn, interactive (-i, with prompts) and from a script on stdin: compares, branches, JSON output, errors.</summary>
[Collection("Processes")]
public sealed class TxnTests : EtcdctlTest
{
    private const string Prompts = "compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\n";

    [Fact(Timeout = Hang.Default)]
    public async Task TxnInteractive_CompareHolds_PromptsAndRunsSuccessRequests()
    {
        await Put(("foo", "bar"));

        var result = await Txn("mod(\"foo\") > \"0\"\n\nput t1 yes\nget foo\n\nput t2 no\n\n", "-i");

        Assert.Equal(Prompts + "SUCCESS\n\nOK\n\nfoo\nbar\n", result.Stdout);
        Assert.Equal(["yes"], (await Ok("get", "t1", "--print-value-only")).Lines);
        Assert.Equal("", (await Ok("get", "t2")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task TxnInteractive_CompareFails_RunsFailureRequests()
    {
        await Put(("foo", "bar"));

        var result = await Txn("value(\"foo\") = \"nope\"\n\nput t3 yes\n\nput t3 no\n\n", "-i");

        Assert.Equal(Prompts + "FAILURE\n\nOK\n", result.Stdout);
        Assert.Equal(["no"], (await Ok("get", "t3", "--print-value-only")).Lines);
    }

    [Theory(Timeout = Hang.Default)]
    [InlineData("value(\"foo\") = \"bar\"", true)]
    [InlineData("value(\"foo\") != \"bar\"", false)]
    [InlineData("value(\"foo\") > \"baa\"", true)]
    [InlineData("value(\"foo\") < \"baa\"", false)]
    [InlineData("version(\"foo\") = \"2\"", true)]
    [InlineData("ver(\"foo\") > \"2\"", false)]
    [InlineData("create(\"foo\") = \"2\"", true)]
    [InlineData("c(\"foo\") != \"2\"", false)]
    [InlineData("mod(\"foo\") = \"3\"", true)]
    [InlineData("m(\"foo\") < \"3\"", false)]
    [InlineData("version(\"missing\") = \"0\"", true)]
    [InlineData("create(\"missing\") = \"0\"", true)]
    [InlineData("mod(\"missing\") = \"0\"", true)]
    [InlineData("value(\"missing\") != \"x\"", false)]
    [InlineData("value(\"missing\") = \"\"", false)]
    public async Task Txn_Compare_ChoosesTheBranch(string compare, bool succeeds)
    {
        await Put(("foo", "bar"), ("foo", "bar"));

        var result = await Txn($"{compare}\n\nput branch success\n\nput branch failure\n\n");

        Assert.Equal(succeeds ? "SUCCESS" : "FAILURE", result.Lines[0]);
        Assert.Equal([succeeds ? "success" : "failure"], (await Ok("get", "branch", "--print-value-only")).Lines);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_SeveralCompares_AllMustHold()
    {
        await Put(("a", "1"), ("b", "2"));

        var allHold = await Txn("value(\"a\") = \"1\"\nvalue(\"b\") = \"2\"\n\nput r all\n\nput r notall\n\n");
        var oneFails = await Txn("value(\"a\") = \"1\"\nvalue(\"b\") = \"3\"\n\nput r all\n\nput r notall\n\n");

        Assert.Equal("SUCCESS", allHold.Lines[0]);
        Assert.Equal("FAILURE", oneFails.Lines[0]);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_ReadAfterWriteInOneTxn_SeesTheWriteAtOneRevision()
    {
        await Put(("foo", "bar"));

        var result = await Txn("value(\"foo\") = \"bar\"\n\nput t1 yes\nput t2 also\nget t --prefix\n\n\n", "-w", "json");
        using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var json = document.RootElement;

        Assert.True(json.GetProperty("succeeded").GetBoolean());
        Assert.Equal(3, json.GetProperty("header").GetProperty("revision").GetInt64());
        var responses = json.GetProperty("responses");
        Assert.Equal(3, responses.GetArrayLength());
        Assert.Equal(3, responses[0].GetProperty("Response").GetProperty("ResponsePut").GetProperty("header").GetProperty("revision").GetInt64());
        var range = responses[2].GetProperty("Response").GetProperty("ResponseRange");
        Assert.Equal(2, range.GetProperty("count").GetInt64());
        var kvs = range.GetProperty("kvs");
        Assert.Equal(Base64("yes"), kvs[0].GetProperty("value").GetString());
        Assert.Equal(3, kvs[0].GetProperty("mod_revision").GetInt64());
        Assert.Equal(3, kvs[1].GetProperty("mod_revision").GetInt64());
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_NoCompares_RunsSuccessRequests()
    {
        var result = await Txn("\nput k v\ndel nothing\n\n\n");

        Assert.Equal("SUCCESS\n\nOK\n\n0\n", result.Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_DuplicatePutInOneBranch_FailsWithDuplicateKeyError()
    {
        var result = await TxnRaw("\nput a 1\nput a 2\n\n\n");

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("etcdserver: duplicate key given in txn request", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await Ok("get", "a")).Stdout);
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_PutInsideDeletedRange_FailsWithDuplicateKeyError()
    {
        var result = await TxnRaw("\nput t1 yes\ndel t --prefix\n\n\n");

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("etcdserver: duplicate key given in txn request", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<CommandResult> Txn(string script, params string[] flags)
    {
        var result = await TxnRaw(script, flags);
        Assert.True(result.Succeeded, result.ToString());
        return result;
    }

    private Task<CommandResult> TxnRaw(string script, params string[] flags) =>
        Cluster.Etcdctl().RunAsync(["txn", .. flags], stdin: script);
}
