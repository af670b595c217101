namespace Cairn.Api.Cairnpb;

/// <summary>The consensus envelope's versioning rule (see Protos/cairnpb/internal.proto).</summary>
public sealed partial class InternalRaftRequest
{
    /// <summary>The envelope version this build writes, and the highest it applies.</summary>
    public const uint CurrentVersion = 1;

    /// <summary>
    /// True when this member may apply the envelope: a version it knows (1..<see cref="CurrentVersion"/>) and a
    /// request case it can name. Anything else must be refused, never skipped, or the member's state diverges.
    /// </summary>
    public bool IsApplicable => Version is >= 1 and <= CurrentVersion && RequestCase != RequestOneofCase.None;
}
