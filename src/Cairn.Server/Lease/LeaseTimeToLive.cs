using Google.Protobuf;

namespace Cairn.Server.Lease;

/// <summary>A lease's state for LeaseTimeToLive: seconds left (truncated, as etcd does), the granted TTL, its keys.</summary>
internal sealed record LeaseTimeToLive(long Id, long RemainingSeconds, long GrantedTtl, IReadOnlyList<ByteString> Keys);
