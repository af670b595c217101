using Cairn.Api.Errors;
using Cairn.Api.Etcdserverpb;
using Cairn.Server.Raft;

namespace Cairn.Server.Tests.Raft;

public sealed class WaitRegistryTests
{
    private static readonly ApplyResult Ok = new(new PutResponse { Header = new ResponseHeader { Revision = 3 } }, null);

    [Fact]
    public async Task Trigger_CompletesTheWaiterWithTheResult()
    {
        var waits = new WaitRegistry();
        var task = waits.Register(1);
        Assert.False(task.IsCompleted);
        waits.Trigger(1, Ok);
        Assert.Same(Ok, await task);
    }

    [Fact]
    public async Task Trigger_OnlyTheMatchingId()
    {
        var waits = new WaitRegistry();
        var one = waits.Register(1);
        var two = waits.Register(2);
        waits.Trigger(2, Ok);
        Assert.Same(Ok, await two);
        Assert.False(one.IsCompleted);
    }

    /// <summary>Entries proposed by another member have no waiter here; triggering them is a no-op.</summary>
    [Fact]
    public void Trigger_UnknownId_IsANoOp()
    {
        var waits = new WaitRegistry();
        waits.Trigger(99, Ok);
        var task = waits.Register(99);
        Assert.False(task.IsCompleted);
    }

    [Fact]
    public async Task Trigger_Twice_FirstResultWinsAndTheIdIsFreed()
    {
        var waits = new WaitRegistry();
        var first = waits.Register(1);
        waits.Trigger(1, Ok);
        waits.Trigger(1, new ApplyResult(null, EtcdErrors.Timeout.ToException()));
        Assert.Same(Ok, await first);
        var again = waits.Register(1);
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task Register_DuplicateId_Throws()
    {
        var waits = new WaitRegistry();
        var first = waits.Register(5);
        await Assert.ThrowsAsync<InvalidOperationException>(() => waits.Register(5));
        waits.Trigger(5, Ok);
        Assert.Same(Ok, await first);
    }

    [Fact]
    public async Task Cancel_CancelsTheWaiter_AndLaterTriggerIsANoOp()
    {
        var waits = new WaitRegistry();
        var task = waits.Register(1);
        waits.Cancel(1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        waits.Trigger(1, Ok);
        Assert.True(task.IsCanceled);
    }

    [Fact]
    public async Task FailAll_FailsEveryWaiterWithTheError()
    {
        var waits = new WaitRegistry();
        var tasks = Enumerable.Range(1, 5).Select(i => waits.Register((ulong)i)).ToList();
        var stopped = EtcdErrors.Stopped.ToException();
        waits.FailAll(stopped);
        foreach (var task in tasks)
        {
            Assert.Same(stopped, await Assert.ThrowsAsync<EtcdException>(() => task));
        }
        var fresh = waits.Register(1);
        Assert.False(fresh.IsCompleted);
    }

    /// <summary>The apply loop triggers waiters; their continuations must not run on (and stall) the apply thread.</summary>
    [Fact]
    public async Task Trigger_ContinuationsDoNotRunOnTheTriggeringThread()
    {
        var waits = new WaitRegistry();
        var task = waits.Register(1);
        var continuationThread = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = task.ContinueWith(_ => continuationThread.SetResult(Environment.CurrentManagedThreadId), TaskContinuationOptions.ExecuteSynchronously);
        var triggeringThread = 0;
        var thread = new Thread(() =>
        {
            triggeringThread = Environment.CurrentManagedThreadId;
            waits.Trigger(1, Ok);
        });
        thread.Start();
        thread.Join();
        Assert.NotEqual(triggeringThread, await continuationThread.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
