using Cairn.Raft.Tracker;

namespace Cairn.Raft.Tests.Tracker;

public sealed class ProgressTests
{
    private static Progress New(ulong match, ulong next, ProgressState state = ProgressState.Probe, int window = 256) =>
        new(new Inflights(window, 0)) { Match = match, Next = next, State = state, RecentActive = true };

    [Fact]
    public void ToString_ListsFlags()
    {
        var pr = new Progress(new Inflights(1, 0))
        {
            Match = 1,
            Next = 2,
            State = ProgressState.Snapshot,
            PendingSnapshot = 123,
            IsLearner = true,
            RecentActive = false,
        };
        pr.Inflights.Add(123, 1);
        Assert.Equal("StateSnapshot match=1 next=2 learner paused pendingSnap=123 inactive inflight=1[full]", pr.ToString());
    }

    [Fact]
    public void IsPaused_ByState()
    {
        Assert.False(New(0, 1, ProgressState.Probe).IsPaused);
        Assert.True(New(0, 1, ProgressState.Snapshot).IsPaused);
        var probe = New(0, 1, ProgressState.Probe);
        probe.MsgAppFlowPaused = true;
        Assert.True(probe.IsPaused);
        var replicate = New(0, 1, ProgressState.Replicate);
        replicate.MsgAppFlowPaused = true;
        Assert.True(replicate.IsPaused);
    }

    [Fact]
    public void MaybeUpdate_UnpausesAndRaisesMatch()
    {
        var pr = New(2, 5);
        pr.MsgAppFlowPaused = true;
        Assert.False(pr.MaybeUpdate(1)); // stale
        Assert.False(pr.MaybeUpdate(2));
        Assert.True(pr.MsgAppFlowPaused);
        Assert.True(pr.MaybeUpdate(3));
        Assert.Equal((3UL, 5UL), (pr.Match, pr.Next));
        Assert.False(pr.MsgAppFlowPaused);
        Assert.True(pr.MaybeUpdate(7));
        Assert.Equal((7UL, 8UL), (pr.Match, pr.Next)); // Next stays above Match
    }

    [Theory]
    // Replicate: stale when rejected <= Match; otherwise Next = Match + 1.
    [InlineData(ProgressState.Replicate, 5, 10, 5, 5, false, 10)]
    [InlineData(ProgressState.Replicate, 5, 10, 4, 4, false, 10)]
    [InlineData(ProgressState.Replicate, 5, 10, 9, 9, true, 6)]
    // Probe: stale unless rejected == Next - 1; Next = max(min(rejected, hint + 1), Match + 1).
    [InlineData(ProgressState.Probe, 0, 0, 0, 0, false, 0)]
    [InlineData(ProgressState.Probe, 0, 10, 5, 5, false, 10)]
    [InlineData(ProgressState.Probe, 0, 10, 9, 9, true, 9)]
    [InlineData(ProgressState.Probe, 0, 2, 1, 1, true, 1)]
    [InlineData(ProgressState.Probe, 0, 1, 0, 0, true, 1)]
    [InlineData(ProgressState.Probe, 0, 10, 9, 2, true, 3)]
    [InlineData(ProgressState.Probe, 0, 10, 9, 0, true, 1)]
    [InlineData(ProgressState.Probe, 4, 10, 9, 0, true, 5)]
    public void MaybeDecrTo_Cases(
        ProgressState state, ulong match, ulong next, ulong rejected, ulong hint, bool decreased, ulong wantNext)
    {
        var pr = New(match, next, state);
        pr.MsgAppFlowPaused = true;
        Assert.Equal(decreased, pr.MaybeDecrTo(rejected, hint));
        Assert.Equal(match, pr.Match);
        Assert.Equal(wantNext, pr.Next);
        if (decreased && state == ProgressState.Probe)
        {
            Assert.False(pr.MsgAppFlowPaused);
        }
    }

    [Fact]
    public void BecomeProbe_FromReplicate_ProbesAfterMatch()
    {
        var pr = New(1, 5, ProgressState.Replicate);
        pr.Inflights.Add(4, 1);
        pr.BecomeProbe();
        Assert.Equal((ProgressState.Probe, 1UL, 2UL), (pr.State, pr.Match, pr.Next));
        Assert.Equal(0, pr.Inflights.Count);
    }

    [Fact]
    public void BecomeProbe_FromSnapshot_ProbesAfterTheLargerOfSnapshotAndMatch()
    {
        var pr = New(1, 5);
        pr.BecomeSnapshot(10);
        pr.BecomeProbe();
        Assert.Equal((ProgressState.Probe, 11UL), (pr.State, pr.Next));
        Assert.Equal(0UL, pr.PendingSnapshot);

        pr = New(12, 13);
        pr.BecomeSnapshot(10);
        pr.BecomeProbe();
        Assert.Equal(13UL, pr.Next);
    }

    [Fact]
    public void BecomeReplicate_ResetsNextAndUnpauses()
    {
        var pr = New(1, 5);
        pr.MsgAppFlowPaused = true;
        pr.BecomeReplicate();
        Assert.Equal((ProgressState.Replicate, 1UL, 2UL, false), (pr.State, pr.Match, pr.Next, pr.MsgAppFlowPaused));
    }

    [Fact]
    public void BecomeSnapshot_PausesAtTheSnapshot()
    {
        var pr = New(1, 5);
        pr.BecomeSnapshot(10);
        Assert.Equal((ProgressState.Snapshot, 1UL, 10UL, 11UL), (pr.State, pr.Match, pr.PendingSnapshot, pr.Next));
        Assert.True(pr.IsPaused);
    }

    [Fact]
    public void SentEntries_Replicate_AdvancesNextAndPausesWhenWindowFills()
    {
        var pr = New(3, 4, ProgressState.Replicate, window: 2);
        pr.SentEntries(3, 30);
        Assert.Equal(7UL, pr.Next);
        Assert.False(pr.IsPaused);
        pr.SentEntries(1, 10);
        Assert.Equal(8UL, pr.Next);
        Assert.True(pr.IsPaused);
        Assert.Equal(2, pr.Inflights.Count);
        Assert.True(pr.MaybeUpdate(6));
        pr.Inflights.FreeLE(6);
        Assert.False(pr.IsPaused);
    }

    [Fact]
    public void SentEntries_Probe_PausesOnlyWhenNonEmpty()
    {
        var pr = New(3, 4);
        pr.SentEntries(0, 0);
        Assert.False(pr.IsPaused);
        pr.SentEntries(2, 10);
        Assert.True(pr.IsPaused);
        Assert.Equal(4UL, pr.Next); // probing does not advance Next optimistically
    }

    [Fact]
    public void SentEntries_Snapshot_IsABug()
    {
        var pr = New(3, 4);
        pr.BecomeSnapshot(9);
        Assert.Throws<InvalidOperationException>(() => pr.SentEntries(1, 1));
    }

    [Fact]
    public void CanBumpCommit_OnlyUntilNextMinusOne()
    {
        var pr = New(3, 6, ProgressState.Replicate);
        Assert.True(pr.CanBumpCommit(4));
        pr.SentCommit(4);
        Assert.False(pr.CanBumpCommit(4));
        Assert.True(pr.CanBumpCommit(5));
        pr.SentCommit(5);
        // Next - 1 = 5 is reached: sending a higher commit cannot help until Next moves.
        Assert.False(pr.CanBumpCommit(9));
        pr.SentEntries(2, 2);
        Assert.True(pr.CanBumpCommit(9));
        pr.MaybeDecrTo(7, 7);
        Assert.Equal(3UL, pr.SentCommitIndex); // capped at the new Next - 1
    }

    [Fact]
    public void OptimisticUpdate_SetsNext()
    {
        var pr = New(1, 2);
        pr.OptimisticUpdate(9);
        Assert.Equal(10UL, pr.Next);
    }

    [Fact]
    public void ShallowCopy_SharesInflights_CloneDoesNot()
    {
        var pr = New(1, 2, ProgressState.Replicate);
        var shallow = pr.ShallowCopy();
        var deep = pr.Clone();
        pr.Inflights.Add(5, 1);
        Assert.Same(pr.Inflights, shallow.Inflights);
        Assert.Equal(0, deep.Inflights.Count);
        shallow.IsLearner = true;
        Assert.False(pr.IsLearner);
    }
}
