using System;
using System.Text;

namespace Cairn.Raft.Tracker;

/// <summary>
/// A follower's replication progress as the leader sees it. Most transitions are driven by the leader's step
/// function; the methods here keep the invariants: <c>Match &lt; Next</c>, and the commit index sent to the
/// follower is tracked only up to <c>Next - 1</c>.
/// </summary>
public sealed class Progress
{
    // The highest commit index sent to the follower, capped at Next - 1: it may advance the follower's commit up
    // to there, and sending a larger commit index again is only useful once Next moves.
    private ulong _sentCommit;

    public Progress(Inflights inflights) => Inflights = inflights;

    /// <summary>The highest index known to be replicated on the follower.</summary>
    public ulong Match { get; set; }

    /// <summary>The index of the next entry to send. Entries in (Match, Next) are in flight.</summary>
    public ulong Next { get; set; }

    public ProgressState State { get; set; }

    /// <summary>
    /// In <see cref="ProgressState.Snapshot"/>: the index of the snapshot the follower needs. Replication resumes
    /// when an append response reconnects the follower, or when the snapshot is reported (finished or failed).
    /// </summary>
    public ulong PendingSnapshot { get; set; }

    /// <summary>
    /// Whether the follower was heard from since the last check (CheckQuorum clears it every election timeout).
    /// Always true for the leader itself.
    /// </summary>
    public bool RecentActive { get; set; }

    /// <summary>
    /// Set when the append flow to the follower is paused: in probe state after one append until a response or
    /// heartbeat response arrives; in replicate state while the inflight window is full.
    /// </summary>
    public bool MsgAppFlowPaused { get; set; }

    /// <summary>The window of unacknowledged appends (used in replicate state).</summary>
    public Inflights Inflights { get; set; }

    /// <summary>True when this peer is tracked as a learner (receives the log, has no vote).</summary>
    public bool IsLearner { get; set; }

    /// <summary>The commit index sent to this follower, at most <c>Next - 1</c> (see <see cref="CanBumpCommit"/>).</summary>
    public ulong SentCommitIndex => _sentCommit;

    /// <summary>Moves to <paramref name="state"/>, unpausing the flow and clearing the pending snapshot and inflights.</summary>
    public void ResetState(ProgressState state)
    {
        MsgAppFlowPaused = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }

    /// <summary>
    /// Moves to probe state with <c>Next = Match + 1</c>. Coming from snapshot state the pending snapshot was
    /// delivered, so probing starts after it when that is further.
    /// </summary>
    public void BecomeProbe()
    {
        if (State == ProgressState.Snapshot)
        {
            ulong pendingSnapshot = PendingSnapshot;
            ResetState(ProgressState.Probe);
            Next = Math.Max(Match + 1, pendingSnapshot + 1);
        }
        else
        {
            ResetState(ProgressState.Probe);
            Next = Match + 1;
        }

        _sentCommit = Math.Min(_sentCommit, Next - 1);
    }

    /// <summary>Moves to replicate state with <c>Next = Match + 1</c>.</summary>
    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
        _sentCommit = Math.Min(_sentCommit, Next - 1);
    }

    /// <summary>Moves to snapshot state, waiting for the snapshot at <paramref name="snapshotIndex"/>.</summary>
    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
        Next = snapshotIndex + 1;
        _sentCommit = snapshotIndex;
    }

    /// <summary>
    /// Records an append of <paramref name="entries"/> consecutive entries from <see cref="Next"/> with
    /// <paramref name="bytes"/> of payload. In replicate state Next advances optimistically and the message enters
    /// the inflight window (pausing the flow when it fills); in probe state a non-empty append pauses the flow until
    /// the follower answers. Sending appends in snapshot state is a bug.
    /// </summary>
    public void SentEntries(int entries, ulong bytes)
    {
        switch (State)
        {
            case ProgressState.Replicate:
                if (entries > 0)
                {
                    Next += (ulong)entries;
                    Inflights.Add(Next - 1, bytes);
                }

                MsgAppFlowPaused = Inflights.Full;
                break;
            case ProgressState.Probe:
                if (entries > 0)
                {
                    MsgAppFlowPaused = true;
                }

                break;
            default:
                throw new InvalidOperationException($"sending append in unhandled state {State.Name()}");
        }
    }

    /// <summary>Optimistically assumes everything up to <paramref name="n"/> was delivered: <c>Next = n + 1</c>.</summary>
    public void OptimisticUpdate(ulong n) => Next = n + 1;

    /// <summary>
    /// True when sending commit index <paramref name="index"/> could advance the follower's commit index: it is
    /// above what was sent, and what was sent does not already reach <c>Next - 1</c>.
    /// </summary>
    public bool CanBumpCommit(ulong index) => index > _sentCommit && _sentCommit < Next - 1;

    /// <summary>Records that commit index <paramref name="commit"/> was sent to the follower.</summary>
    public void SentCommit(ulong commit) => _sentCommit = commit;

    /// <summary>
    /// Handles an append acknowledgement up to <paramref name="n"/>. Returns false for a stale one (n at or below
    /// Match); otherwise raises Match (and Next when needed) and unpauses the flow.
    /// </summary>
    public bool MaybeUpdate(ulong n)
    {
        if (n <= Match)
        {
            return false;
        }

        Match = n;
        Next = Math.Max(Next, n + 1);
        MsgAppFlowPaused = false;
        return true;
    }

    /// <summary>
    /// Handles a rejected append at index <paramref name="rejected"/>, where the follower hints that its log may
    /// match up to <paramref name="matchHint"/>. Returns false when the rejection is stale (duplicated or reordered
    /// messages): in replicate state when <paramref name="rejected"/> is at or below Match, in probe state when it
    /// is not the probe in flight (<c>Next - 1</c>). Otherwise lowers Next and, when probing, unpauses the flow.
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            _sentCommit = Math.Min(_sentCommit, Next - 1);
            return true;
        }

        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        _sentCommit = Math.Min(_sentCommit, Next - 1);
        MsgAppFlowPaused = false;
        return true;
    }

    /// <summary>
    /// Whether appends to this follower are throttled: after a probe, while the inflight window is full, or while
    /// a snapshot is pending. A throttled follower is still sent heartbeats.
    /// </summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => MsgAppFlowPaused,
        ProgressState.Replicate => MsgAppFlowPaused,
        ProgressState.Snapshot => true,
        _ => throw new InvalidOperationException($"unexpected progress state {State.Name()}"),
    };

    /// <summary>A copy sharing <see cref="Inflights"/> with this one (for configuration changes, which only flip
    /// <see cref="IsLearner"/>).</summary>
    public Progress ShallowCopy() => (Progress)MemberwiseClone();

    /// <summary>A deep copy, including the inflight window (for status snapshots).</summary>
    public Progress Clone()
    {
        var copy = (Progress)MemberwiseClone();
        copy.Inflights = Inflights.Clone();
        return copy;
    }

    /// <summary>e.g. "StateReplicate match=5 next=6 learner paused pendingSnap=3 inactive inflight=2[full]".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(State.Name()).Append(" match=").Append(Match).Append(" next=").Append(Next);
        if (IsLearner)
        {
            sb.Append(" learner");
        }

        if (IsPaused)
        {
            sb.Append(" paused");
        }

        if (PendingSnapshot > 0)
        {
            sb.Append(" pendingSnap=").Append(PendingSnapshot);
        }

        if (!RecentActive)
        {
            sb.Append(" inactive");
        }

        if (Inflights.Count > 0)
        {
            sb.Append(" inflight=").Append(Inflights.Count);
            if (Inflights.Full)
            {
                sb.Append("[full]");
            }
        }

        return sb.ToString();
    }
}
