using Cairn.Raft.Confchange;
using Cairn.Raft.Tests.DataDriven;
using Cairn.Raft.Tracker;

namespace Cairn.Raft.Tests.Confchange;

/// <summary>
/// Scripts under testdata/ drive one <see cref="Changer"/> per file. Commands: <c>simple</c>,
/// <c>enter-joint [autoleave=true]</c> (changes as input in the compact form "v1 l2 r3 u4") and <c>leave-joint</c>.
/// Each prints the resulting configuration and progress map, or the error. The log's last index grows by one per
/// command, so new peers show which command added them. Every successful result must also survive a round trip
/// through <see cref="ConfStateRestorer"/>.
/// </summary>
public sealed class ConfchangeDataDrivenTests
{
    public static TheoryData<string> Files => DataDrivenRunner.Files(DataDrivenRunner.TestDataDir());

    [Theory]
    [MemberData(nameof(Files))]
    public void Script_MatchesExpectedOutput(string file)
    {
        var tracker = new ProgressTracker(10, 0);
        ulong lastIndex = 0;
        DataDrivenRunner.Run(Path.Combine(DataDrivenRunner.TestDataDir(), file), c =>
        {
            var changer = new Changer(tracker, lastIndex);
            lastIndex++;
            var changes = ConfChangeText.Parse(c.Input);
            ChangeResult result = c.Command switch
            {
                "simple" => changer.Simple(changes),
                "enter-joint" => changer.EnterJoint(c.Arg("autoleave")?.Single == "true", changes),
                "leave-joint" => changes.Count == 0 ? changer.LeaveJoint() : throw new FormatException("leave-joint takes no input"),
                _ => throw new FormatException($"unknown command {c.Command}"),
            };
            if (!result.IsOk)
            {
                return result.Error + "\n";
            }

            tracker.Config = result.Config!;
            tracker.Progress = result.Progress!;
            AssertRestoreRoundTrips(tracker);
            return $"{tracker.Config}\n{tracker.Progress}";
        });
    }

    internal static void AssertRestoreRoundTrips(ProgressTracker tracker)
    {
        var cs = tracker.ConfState();
        var restored = ConfStateRestorer.Restore(tracker, 10, cs);
        Assert.True(restored.IsOk, restored.Error);
        Assert.Equal(tracker.Config.ToString(), restored.Config!.ToString());
        Assert.Equal(tracker.Progress.Ids.ToArray(), restored.Progress!.Ids.ToArray());
        foreach (var (id, pr) in tracker.Progress)
        {
            Assert.Equal(pr.IsLearner, restored.Progress[id].IsLearner);
        }
    }
}
