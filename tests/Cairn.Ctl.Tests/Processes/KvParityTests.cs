namespace Cairn.Ctl.Tests.Processes;

/// <summary>get, put, del, txn and compaction: cairnctl and the real etcdctl 3.4.23 print the same bytes.</summary>
[Collection("Processes")]
public sealed class KvParityTests
{
    [Fact(Timeout = Hang.Default)]
    public async Task PutGetDel_EveryFormatAndOption_MatchesEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        foreach (var (k, v) in new[] { ("a", "1"), ("b", "2"), ("c", "3"), ("dir/x", "x"), ("dir/y", "y"), ("a", "1b") })
        {
            await pair.AssertSameAsync("put", k, v);
        }

        string[][] commands =
        [
            ["get", "a"], ["get", "a", "-w", "json"], ["get", "a", "-w", "fields"], ["get", "a", "-w", "table"],
            ["get", "a", "z"], ["get", "dir/", "--prefix"], ["get", "", "--prefix", "--keys-only"], ["get", "b", "--from-key", "-w", "json"],
            ["get", "", "--from-key", "--limit=2", "-w", "fields"], ["get", "a", "z", "--sort-by=VALUE", "--order=DESCEND"],
            ["get", "a", "z", "--sort-by=create", "--order=ASCEND", "-w", "json"], ["get", "a", "--rev=2"], ["get", "a", "--rev=2", "--print-value-only"],
            ["get", "a", "--print-value-only", "-w", "json"], ["get", "dir/", "--prefix", "--hex"], ["get", "missing", "-w", "json"],
            ["get", "a", "--consistency=s", "-w", "json"], ["get", "a", "--consistency=x"], ["get", "a", "--order=sideways"],
            ["get", "a", "--prefix", "--from-key"], ["get", "a", "b", "--prefix"], ["get"], ["get", "a", "-w", "yaml"],
            ["put", "p", "v1", "--prev-kv"], ["put", "p", "v2", "--prev-kv", "-w", "json"], ["put", "p", "--ignore-value", "-w", "fields"],
            ["put", "nokey", "--ignore-value"], ["put", "p", "v", "--ignore-value"], ["put", "p", "v", "--lease=zz"], ["put", "p", "v", "--lease=1234"],
            ["put"],
            ["del", "nothing"], ["del", "nothing", "-w", "json"], ["del", "p", "--prev-kv", "-w", "fields"], ["del", "dir/", "--prefix", "--prev-kv"],
            ["del", "a", "c", "-w", "json"], ["del"], ["del", "a", "b", "c"], ["get", "", "--prefix", "-w", "json"],
        ];
        foreach (var command in commands)
        {
            await pair.AssertSameAsync(command);
        }

        await pair.AssertSameWithInputAsync("value\nfrom stdin", "put", "fromstdin");
        await pair.AssertSameAsync("get", "fromstdin", "-w", "json");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Txn_FromStdin_MatchesEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        await pair.AssertSameAsync("put", "a", "1");
        string[] inputs =
        [
            "mod(\"a\") = \"2\"\n\nput a x\nget a\n\nget b\n\n",
            "mod(\"a\") = \"0\"\n\nput a x\n\nget a --prefix\nput b \"two words\"\n\n",
            "value(\"a\") = \"1\"\nver(\"nothere\") = \"0\"\nc(\"a\") > \"0\"\n\ndel a --prev-kv\nput c 'q'\n\nput z z\n\n",
            "\n\nput t1 1\nput t2 2\nget t --prefix\n\n\n",
            "bogus\n\n\n\n",
            "\n\nfetch a\n\n\n",
            "mod(\"a\") = \"0\"\n",
        ];
        foreach (var input in inputs)
        {
            foreach (var format in new[] { "simple", "json", "fields" })
            {
                await pair.AssertSameWithInputAsync(input, "txn", "-w", format);
            }

            await pair.AssertSameWithInputAsync(input, "txn", "-i");
        }

        await pair.AssertSameAsync("txn", "extra");
    }

    [Fact(Timeout = Hang.Default)]
    public async Task Compaction_MatchesEtcdctl()
    {
        await using var pair = await EtcdPair.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await pair.AssertSameAsync("put", "k", $"v{i}");
        }

        await pair.AssertSameAsync("compaction", "3");
        await pair.AssertSameAsync("compaction", "3");
        await pair.AssertSameAsync("compaction", "1000");
        await pair.AssertSameAsync("compaction", "x");
        await pair.AssertSameAsync("compaction");
        await pair.AssertSameAsync("compaction", "--physical", "5");
        await pair.AssertSameAsync("get", "k", "--rev=2");
        await pair.AssertSameAsync("get", "k", "--rev=5", "-w", "json");
    }
}
