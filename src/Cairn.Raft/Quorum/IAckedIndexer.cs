using System.Collections.Generic;
using System.Globalization;

namespace Cairn.Raft.Quorum;

/// <summary>
/// Looks up the highest log index a voter is known to have durably appended. A voter with no known index is
/// reported as missing (it then counts as index 0 for commitment, and as "?" in debug output).
/// </summary>
public interface IAckedIndexer
{
    /// <summary>Returns false when nothing is known for <paramref name="voterId"/>.</summary>
    bool TryGetAckedIndex(ulong voterId, out ulong index);
}

/// <summary>An <see cref="IAckedIndexer"/> over a plain map of voter ID to acknowledged index (tests, tools).</summary>
public sealed class MapAckIndexer(IReadOnlyDictionary<ulong, ulong> acked) : IAckedIndexer
{
    public bool TryGetAckedIndex(ulong voterId, out ulong index) => acked.TryGetValue(voterId, out index);
}

/// <summary>Formatting for quorum indexes: <see cref="ulong.MaxValue"/> means "no constraint" and prints as ∞.</summary>
public static class QuorumIndex
{
    /// <summary>The committed index of an empty configuration: it commits everything.</summary>
    public const ulong Infinite = ulong.MaxValue;

    public static string Format(ulong index) =>
        index == Infinite ? "∞" : index.ToString(CultureInfo.InvariantCulture);
}
