using Cairn.Api.Etcdserverpb;

namespace Cairn.Ctl.Printers;

/// <summary>One row of `endpoint health`; <see cref="Took"/> is a Go duration string.</summary>
internal sealed record EndpointHealth(string Endpoint, bool Health, string Took, string Error);

/// <summary>One row of `endpoint status`.</summary>
internal sealed record EndpointStatus(string Endpoint, StatusResponse Status);

/// <summary>One row of `endpoint hashkv`.</summary>
internal sealed record EndpointHashKv(string Endpoint, HashKVResponse HashKv);

/// <summary>What `snapshot status` reports about a backend file (etcd's snapshot.Status).</summary>
internal sealed record SnapshotStatus(uint Hash, long Revision, long TotalKey, long TotalSize);
