using Cairn.Raft.Confchange;
using Cairn.Raft.Raftpb;
using Cairn.Raft.Tracker;

namespace Cairn.Raft.Tests.Confchange;

public sealed class ChangerTests
{
    private static ProgressTracker Apply(ProgressTracker tracker, ChangeResult result)
    {
        Assert.True(result.IsOk, result.Error);
        tracker.Config = result.Config!;
        tracker.Progress = result.Progress!;
        return tracker;
    }

    [Fact]
    public void FailedChange_LeavesTrackerUntouched()
    {
        var tracker = Apply(new ProgressTracker(10, 0), new Changer(new ProgressTracker(10, 0), 0).Simple(ConfChangeText.Parse("v1")));
        tracker = Apply(tracker, new Changer(tracker, 1).Simple(ConfChangeText.Parse("v2")));
        string before = tracker.Config + "\n" + tracker.Progress;
        var result = new Changer(tracker, 2).Simple(ConfChangeText.Parse("r1 r2"));
        Assert.False(result.IsOk);
        Assert.Equal("removed all voters", result.Error);
        Assert.Equal(before, tracker.Config + "\n" + tracker.Progress);
        Assert.Throws<InvalidOperationException>(() => result.Unwrap());
    }

    [Fact]
    public void SuccessfulChange_DoesNotMutateInputs()
    {
        var tracker = Apply(new ProgressTracker(10, 0), new Changer(new ProgressTracker(10, 0), 0).Simple(ConfChangeText.Parse("v1")));
        tracker = Apply(tracker, new Changer(tracker, 0).Simple(ConfChangeText.Parse("v2")));
        var original = tracker.Progress;
        var result = new Changer(tracker, 5).EnterJoint(false, ConfChangeText.Parse("l2 v3"));
        var (cfg, progress) = result.Unwrap();
        Assert.Equal("voters=(1 3)&&(1 2) learners_next=(2)", cfg.ToString());
        Assert.Equal("voters=(1 2)", tracker.Config.ToString());
        Assert.NotSame(original[1], progress[1]);
        Assert.False(original.ContainsKey(3));
    }

    [Fact]
    public void UnknownChangeType_IsAnError()
    {
        var tracker = new ProgressTracker(10, 0);
        var result = new Changer(tracker, 0).Simple(new ConfChangeSingle { Type = (ConfChangeType)42, NodeId = 1 });
        Assert.Equal("unexpected conf type 42", result.Error);
    }

    [Fact]
    public void BrokenInvariants_AreReportedBeforeAnyChange()
    {
        var tracker = new ProgressTracker(10, 0);
        tracker.Config.Voters.Incoming.Add(1);
        Assert.Equal("no progress for 1", new Changer(tracker, 0).Simple().Error);

        tracker.Progress[1] = new Progress(tracker.NewInflights());
        tracker.Config.Learners.Add(1);
        tracker.Progress[1].IsLearner = true;
        Assert.Equal("1 is in Learners and Voters[0]", new Changer(tracker, 0).Simple().Error);

        tracker.Config.Learners.Clear();
        tracker.Progress[1].IsLearner = false;
        tracker.Config.AutoLeave = true;
        Assert.Equal("AutoLeave must be false when not joint", new Changer(tracker, 0).Simple().Error);

        tracker.Config.AutoLeave = false;
        tracker.Config.LearnersNext.Add(1);
        Assert.Equal("1 is in LearnersNext, but not Voters[1]", new Changer(tracker, 0).Simple().Error);
    }

    [Fact]
    public void NewPeer_ProbesFromLastIndex_AndIsRecentlyActive()
    {
        var (_, progress) = new Changer(new ProgressTracker(7, 100), 42).Simple(ConfChangeText.Parse("v1")).Unwrap();
        var pr = progress[1];
        Assert.Equal((0UL, 42UL, true), (pr.Match, pr.Next, pr.RecentActive));
        Assert.Equal((7, 100UL), (pr.Inflights.Size, pr.Inflights.MaxBytes));
    }

    [Fact]
    public void SimpleOneByOne_EqualsJointInOneStep()
    {
        var rng = new Random(1234);
        int compared = 0;
        for (int iter = 0; iter < 1000; iter++)
        {
            var start = new ProgressTracker(10, 0);
            foreach (var cc in RandomChanges(rng, 1, 5, onlyAdds: true))
            {
                var r = new Changer(start, 1).Simple(cc);
                if (r.IsOk)
                {
                    Apply(start, r);
                }
            }

            if (start.Config.Voters.Incoming.Count == 0)
            {
                continue;
            }

            var changes = RandomChanges(rng, 1, 6, onlyAdds: false);

            // One by one, each a simple change.
            var simple = new ProgressTracker(10, 0) { Config = start.Config.Clone(), Progress = start.Progress.ShallowCopy() };
            bool ok = true;
            foreach (var cc in changes)
            {
                var r = new Changer(simple, 1).Simple(cc);
                if (!r.IsOk)
                {
                    ok = false;
                    break;
                }

                Apply(simple, r);
            }

            if (!ok)
            {
                continue;
            }

            // All at once, through a joint configuration.
            var joint = new ProgressTracker(10, 0) { Config = start.Config.Clone(), Progress = start.Progress.ShallowCopy() };
            Apply(joint, new Changer(joint, 1).EnterJoint(false, changes));
            ConfchangeDataDrivenTests.AssertRestoreRoundTrips(joint);
            Apply(joint, new Changer(joint, 1).LeaveJoint());

            Assert.Equal(simple.Config.ToString(), joint.Config.ToString());
            Assert.Equal(simple.Progress.Ids.ToArray(), joint.Progress.Ids.ToArray());
            foreach (var (id, pr) in simple.Progress)
            {
                Assert.Equal(pr.IsLearner, joint.Progress[id].IsLearner);
            }

            compared++;
        }

        Assert.True(compared > 200, $"only {compared} comparable sequences");
    }

    [Fact]
    public void Restore_RandomConfStates_RoundTrip()
    {
        var rng = new Random(99);
        for (int iter = 0; iter < 500; iter++)
        {
            var tracker = new ProgressTracker(10, 0);
            foreach (var cc in RandomChanges(rng, 1, 6, onlyAdds: true))
            {
                var r = new Changer(tracker, 1).Simple(cc);
                if (r.IsOk)
                {
                    Apply(tracker, r);
                }
            }

            if (tracker.Config.Voters.Incoming.Count > 0 && rng.Next(2) == 0)
            {
                var r = new Changer(tracker, 1).EnterJoint(rng.Next(2) == 0, RandomChanges(rng, 0, 5, onlyAdds: false));
                if (r.IsOk)
                {
                    Apply(tracker, r);
                }
            }

            ConfchangeDataDrivenTests.AssertRestoreRoundTrips(tracker);
            var restored = ConfStateRestorer.Restore(tracker, 1, tracker.ConfState()).Unwrap();
            var again = new ProgressTracker(10, 0) { Config = restored.Config, Progress = restored.Progress };
            Assert.True(tracker.ConfState().Equals(again.ConfState()));
        }
    }

    [Fact]
    public void Restore_JointExample_FromTheDocs()
    {
        var cs = new ConfState
        {
            Voters = { 1, 2, 3 },
            Learners = { 5 },
            VotersOutgoing = { 1, 2, 4, 6 },
            LearnersNext = { 4 },
            AutoLeave = true,
        };
        var (cfg, progress) = ConfStateRestorer.Restore(new ProgressTracker(10, 0), 10, cs).Unwrap();
        Assert.Equal("voters=(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4) autoleave", cfg.ToString());
        Assert.Equal([1UL, 2, 3, 4, 5, 6], progress.Ids.ToArray());
        Assert.True(progress[5].IsLearner);
        Assert.False(progress[4].IsLearner);
    }

    [Fact]
    public void Restore_InconsistentConfState_IsAnError()
    {
        var cs = new ConfState { Voters = { 1 }, Learners = { 1 } };
        Assert.False(ConfStateRestorer.Restore(new ProgressTracker(10, 0), 1, cs).IsOk);
        var empty = ConfStateRestorer.Restore(new ProgressTracker(10, 0), 1, new ConfState());
        Assert.True(empty.IsOk);
        Assert.Equal("voters=()", empty.Config!.ToString());
    }

    [Fact]
    public void ConfChangeText_ParsesAndFormats()
    {
        var changes = ConfChangeText.Parse(" v1  l2\nr3 u4 ");
        Assert.Equal(
            [ConfChangeType.ConfChangeAddNode, ConfChangeType.ConfChangeAddLearnerNode, ConfChangeType.ConfChangeRemoveNode, ConfChangeType.ConfChangeUpdateNode],
            changes.Select(c => c.Type));
        Assert.Equal([1UL, 2, 3, 4], changes.Select(c => c.NodeId));
        Assert.Equal("v1 l2 r3 u4", ConfChangeText.Format(changes));
        Assert.Empty(ConfChangeText.Parse(""));
        Assert.Throws<FormatException>(() => ConfChangeText.Parse("x1"));
        Assert.Throws<FormatException>(() => ConfChangeText.Parse("v"));
        Assert.Throws<FormatException>(() => ConfChangeText.Parse("v-1"));
    }

    private static List<ConfChangeSingle> RandomChanges(Random rng, int min, int max, bool onlyAdds)
    {
        var changes = new List<ConfChangeSingle>();
        int n = rng.Next(min, max + 1);
        for (int i = 0; i < n; i++)
        {
            var type = rng.Next(onlyAdds ? 2 : 3) switch
            {
                0 => ConfChangeType.ConfChangeAddNode,
                1 => ConfChangeType.ConfChangeAddLearnerNode,
                _ => ConfChangeType.ConfChangeRemoveNode,
            };
            changes.Add(new ConfChangeSingle { Type = type, NodeId = (ulong)rng.Next(1, 9) });
        }

        return changes;
    }
}
