using Cairn.Api.Etcdserverpb;
using Grpc.Core;

namespace Cairn.Api.Tests.Etcdserverpb;

/// <summary>
/// Pins the gRPC surface: every method path (/etcdserverpb.Service/Method) and its streaming kind, read from the
/// generated BindService code that the server registers with, so the wire names cannot drift from etcd 3.5.
/// </summary>
public sealed class ServiceShapeTests
{
    private static readonly (string Path, MethodType Type)[] Expected =
    [
        ("/etcdserverpb.KV/Range", MethodType.Unary),
        ("/etcdserverpb.KV/Put", MethodType.Unary),
        ("/etcdserverpb.KV/DeleteRange", MethodType.Unary),
        ("/etcdserverpb.KV/Txn", MethodType.Unary),
        ("/etcdserverpb.KV/Compact", MethodType.Unary),
        ("/etcdserverpb.Watch/Watch", MethodType.DuplexStreaming),
        ("/etcdserverpb.Lease/LeaseGrant", MethodType.Unary),
        ("/etcdserverpb.Lease/LeaseRevoke", MethodType.Unary),
        ("/etcdserverpb.Lease/LeaseKeepAlive", MethodType.DuplexStreaming),
        ("/etcdserverpb.Lease/LeaseTimeToLive", MethodType.Unary),
        ("/etcdserverpb.Lease/LeaseLeases", MethodType.Unary),
        ("/etcdserverpb.Cluster/MemberAdd", MethodType.Unary),
        ("/etcdserverpb.Cluster/MemberRemove", MethodType.Unary),
        ("/etcdserverpb.Cluster/MemberUpdate", MethodType.Unary),
        ("/etcdserverpb.Cluster/MemberList", MethodType.Unary),
        ("/etcdserverpb.Cluster/MemberPromote", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Alarm", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Status", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Defragment", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Hash", MethodType.Unary),
        ("/etcdserverpb.Maintenance/HashKV", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Snapshot", MethodType.ServerStreaming),
        ("/etcdserverpb.Maintenance/MoveLeader", MethodType.Unary),
        ("/etcdserverpb.Maintenance/Downgrade", MethodType.Unary),
        ("/etcdserverpb.Auth/AuthEnable", MethodType.Unary),
        ("/etcdserverpb.Auth/AuthDisable", MethodType.Unary),
        ("/etcdserverpb.Auth/AuthStatus", MethodType.Unary),
        ("/etcdserverpb.Auth/Authenticate", MethodType.Unary),
        ("/etcdserverpb.Auth/UserAdd", MethodType.Unary),
        ("/etcdserverpb.Auth/UserGet", MethodType.Unary),
        ("/etcdserverpb.Auth/UserList", MethodType.Unary),
        ("/etcdserverpb.Auth/UserDelete", MethodType.Unary),
        ("/etcdserverpb.Auth/UserChangePassword", MethodType.Unary),
        ("/etcdserverpb.Auth/UserGrantRole", MethodType.Unary),
        ("/etcdserverpb.Auth/UserRevokeRole", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleAdd", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleGet", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleList", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleDelete", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleGrantPermission", MethodType.Unary),
        ("/etcdserverpb.Auth/RoleRevokePermission", MethodType.Unary),
    ];

    [Fact]
    public void BindService_AllSixServices_RegisterExactlyEtcdsMethods()
    {
        var binder = new RecordingBinder();

        KV.BindService(binder, null);
        Watch.BindService(binder, null);
        Lease.BindService(binder, null);
        Cluster.BindService(binder, null);
        Maintenance.BindService(binder, null);
        Auth.BindService(binder, null);

        Assert.Equal(Expected, binder.Methods);
    }

    [Fact]
    public void ServiceDescriptors_HaveEtcdFullNames()
    {
        Assert.Equal("etcdserverpb.KV", KV.Descriptor.FullName);
        Assert.Equal("etcdserverpb.Watch", Watch.Descriptor.FullName);
        Assert.Equal("etcdserverpb.Lease", Lease.Descriptor.FullName);
        Assert.Equal("etcdserverpb.Cluster", Cluster.Descriptor.FullName);
        Assert.Equal("etcdserverpb.Maintenance", Maintenance.Descriptor.FullName);
        Assert.Equal("etcdserverpb.Auth", Auth.Descriptor.FullName);
    }

    [Fact]
    public void Methods_UseEtcdRequestAndResponseMessages()
    {
        var range = KV.Descriptor.FindMethodByName("Range");
        Assert.Equal("etcdserverpb.RangeRequest", range.InputType.FullName);
        Assert.Equal("etcdserverpb.RangeResponse", range.OutputType.FullName);

        var compact = KV.Descriptor.FindMethodByName("Compact");
        Assert.Equal("etcdserverpb.CompactionRequest", compact.InputType.FullName);

        var userAdd = Auth.Descriptor.FindMethodByName("UserAdd");
        Assert.Equal("etcdserverpb.AuthUserAddRequest", userAdd.InputType.FullName);
        Assert.Equal("etcdserverpb.AuthUserAddResponse", userAdd.OutputType.FullName);
    }

    /// <summary>Records what a gRPC server would register: the method path and its kind.</summary>
    private sealed class RecordingBinder : ServiceBinderBase
    {
        public List<(string Path, MethodType Type)> Methods { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
            => Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
            => Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
            => Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
            => Methods.Add((method.FullName, method.Type));
    }
}
