using Cairn.Server.Lease;

namespace Cairn.Server.Tests.Lease;

public sealed class LessorOptionsTests
{
    [Theory]
    [InlineData(100, 1000, 2)] // etcd's defaults: 15 ticks of 100 ms = 1.5 s, rounded up
    [InlineData(100, 3000, 5)]
    [InlineData(50, 500, 1)]
    [InlineData(250, 5000, 8)]
    public void MinTtl_IsOneAndAHalfElectionTimeoutsRoundedUp(int heartbeatMs, int electionMs, long expected) =>
        Assert.Equal(expected, LessorOptions.MinTtlFor(heartbeatMs, electionMs));
}
