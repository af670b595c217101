using Cairn.Raft.Tests.DataDriven;
using Cairn.Raft.Tests.Interaction;

namespace Cairn.Raft.Tests;

/// <summary>Replays the scripted interactions in testdata/*.txt (set CAIRN_REWRITE=1 to regenerate the expected
/// output, then review the diff).</summary>
public sealed class InteractionTests
{
    public static TheoryData<string> Scripts => DataDrivenRunner.Files(DataDrivenRunner.TestDataDir());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_ReplaysWithExpectedOutput(string file)
    {
        var env = new InteractionEnv();
        DataDrivenRunner.Run(Path.Combine(DataDrivenRunner.TestDataDir(), file), env.Handle);
    }
}
