namespace Cairn.Server.Tests.Support;

/// <summary>A clock the test moves: timestamps (what the lessor measures TTLs with) advance only on <see cref="Advance"/>.
/// Timers still run on real time.</summary>
public sealed class ManualTime : TimeProvider
{
    private long ticks = 1_000_000_000;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, (long)(by.TotalSeconds * TimestampFrequency));
}
