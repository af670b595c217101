using System.CommandLine;
using Cairn.Bench.Cli;
using Cairn.Bench.Workloads;

// cairn-bench: etcd benchmark-style workloads against running servers, and `compare`, which starts real etcd and cairn
// and runs the same workloads against both in one run.
var root = new RootCommand("cairn-bench: etcd-style load generator for Cairn and etcd");
foreach (var kind in WorkloadKind.All)
{
    root.Subcommands.Add(WorkloadCommand.Create(kind));
}

root.Subcommands.Add(CompareCommand.Create());

return await root.Parse(args).InvokeAsync();
