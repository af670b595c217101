using System.Globalization;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;

namespace Cairn.Ctl.Printers;

/// <summary>The header and rows that the simple (comma-joined) and table formats share, as etcdctl builds them.</summary>
internal static class Rows
{
    public static (string[] Header, List<string[]> Rows) MemberList(MemberListResponse r)
    {
        var rows = r.Members.Select(m => new[]
        {
            GoText.Hex(m.ID), m.Name.Length == 0 ? "unstarted" : "started", m.Name,
            string.Join(',', m.PeerURLs), string.Join(',', m.ClientURLs), m.IsLearner ? "true" : "false",
        }).ToList();
        return (["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"], rows);
    }

    public static (string[] Header, List<string[]> Rows) EndpointHealth(IReadOnlyList<EndpointHealth> list) =>
        (["endpoint", "health", "took", "error"], list.Select(h => new[] { h.Endpoint, h.Health ? "true" : "false", h.Took, h.Error }).ToList());

    public static (string[] Header, List<string[]> Rows) EndpointStatus(IReadOnlyList<EndpointStatus> list) =>
    (
        ["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term", "raft index", "raft applied index", "errors"],
        list.Select(s => new[]
        {
            s.Endpoint, GoText.Hex(s.Status.Header?.MemberId ?? 0), s.Status.Version, Humanize.Bytes((ulong)s.Status.DbSize),
            (s.Status.Leader == (s.Status.Header?.MemberId ?? 0)) ? "true" : "false", s.Status.IsLearner ? "true" : "false",
            Num(s.Status.RaftTerm), Num(s.Status.RaftIndex), Num(s.Status.RaftAppliedIndex), string.Join(", ", s.Status.Errors),
        }).ToList()
    );

    public static (string[] Header, List<string[]> Rows) EndpointHashKv(IReadOnlyList<EndpointHashKv> list) =>
        (["endpoint", "hash"], list.Select(h => new[] { h.Endpoint, Num(h.HashKv.Hash) }).ToList());

    public static (string[] Header, List<string[]> Rows) DbStatus(SnapshotStatus s) =>
    (
        ["hash", "revision", "total keys", "total size"],
        [[s.Hash.ToString("x", CultureInfo.InvariantCulture), Num(s.Revision), Num(s.TotalKey), Humanize.Bytes((ulong)s.TotalSize)]]
    );

    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
