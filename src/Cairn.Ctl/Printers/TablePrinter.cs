using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Printers;

/// <summary>etcdctl's "table" format: only member list, endpoint health/status/hashkv and snapshot status.</summary>
internal sealed class TablePrinter(CtlConsole console) : Printer("table", console)
{
    public override void MemberList(MemberListResponse r) => Print(Rows.MemberList(r));

    public override void EndpointHealth(IReadOnlyList<EndpointHealth> list) => Print(Rows.EndpointHealth(list));

    public override void EndpointStatus(IReadOnlyList<EndpointStatus> list) => Print(Rows.EndpointStatus(list));

    public override void EndpointHashKv(IReadOnlyList<EndpointHashKv> list) => Print(Rows.EndpointHashKv(list));

    public override void DbStatus(SnapshotStatus status) => Print(Rows.DbStatus(status));

    private void Print((string[] Header, List<string[]> Rows) table) => Console.Write(AsciiTable.Render(table.Header, table.Rows));
}
