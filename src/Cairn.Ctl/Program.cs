using Cairn.Ctl.Cli;

// cairnctl: etcdctl 3.4's v3 commands against Cairn or etcd, plus `cairnctl pki`.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context =>
    {
        context.Cancel = true;
        interrupt.Cancel();
    });
return await CtlApp.RunAsync(args, interrupt.Token);
