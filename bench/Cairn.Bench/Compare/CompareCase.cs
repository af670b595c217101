using Cairn.Bench.Load;
using Cairn.Bench.Workloads;

namespace Cairn.Bench.Compare;

/// <summary>
/// One workload of a comparison: its ratio-line name (e.g. <c>put-128c-1member</c>), the cluster size, and the load
/// settings both servers get (endpoints are filled in per server).
/// </summary>
internal sealed record CompareCase(string Name, int Members, WorkloadKind Kind, LoadSettings Settings);
