using Cairn.Api.Cairnpb;
using Cairn.Api.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Api.Tests.Cairnpb;

/// <summary>
/// The consensus envelope is persisted in the WAL, so its field numbers are a storage format: pin them, and pin the
/// versioning rule (a member refuses a version or request case it does not know).
/// </summary>
public sealed class InternalRaftRequestTests
{
    public static readonly TheoryData<string, int> RequestCases = new()
    {
        { "range", 10 },
        { "put", 11 },
        { "delete_range", 12 },
        { "txn", 13 },
        { "compaction", 14 },
        { "lease_grant", 20 },
        { "lease_revoke", 21 },
        { "lease_checkpoint", 22 },
        { "alarm", 30 },
        { "auth_enable", 40 },
        { "auth_disable", 41 },
        { "auth_status", 42 },
        { "authenticate", 43 },
        { "auth_user_add", 50 },
        { "auth_user_delete", 51 },
        { "auth_user_get", 52 },
        { "auth_user_change_password", 53 },
        { "auth_user_grant_role", 54 },
        { "auth_user_revoke_role", 55 },
        { "auth_user_list", 56 },
        { "auth_role_add", 60 },
        { "auth_role_delete", 61 },
        { "auth_role_get", 62 },
        { "auth_role_grant_permission", 63 },
        { "auth_role_revoke_permission", 64 },
        { "auth_role_list", 65 },
        { "cluster_version_set", 70 },
        { "cluster_member_attr_set", 71 },
        { "downgrade_info_set", 72 },
    };

    [Theory]
    [MemberData(nameof(RequestCases))]
    public void RequestCase_HasPinnedFieldNumber(string name, int number)
    {
        var field = InternalRaftRequest.Descriptor.FindFieldByName(name);

        Assert.NotNull(field);
        Assert.Equal(number, field.FieldNumber);
        Assert.Equal("request", field.ContainingOneof?.Name);
    }

    [Fact]
    public void Oneof_HasExactlyThePinnedCases()
    {
        var names = InternalRaftRequest.Descriptor.Oneofs.Single().Fields.Select(f => f.Name).Order(StringComparer.Ordinal);
        var pinned = RequestCases.Select(r => (string)r[0]).Order(StringComparer.Ordinal);

        Assert.Equal(pinned, names);
    }

    [Fact]
    public void Header_HasPinnedFields()
    {
        Assert.Equal(1, InternalRaftRequest.Descriptor.FindFieldByName("version").FieldNumber);
        Assert.Equal(2, InternalRaftRequest.Descriptor.FindFieldByName("header").FieldNumber);
        Assert.Equal(1, RequestHeader.Descriptor.FindFieldByName("ID").FieldNumber);
        Assert.Equal(2, RequestHeader.Descriptor.FindFieldByName("username").FieldNumber);
        Assert.Equal(3, RequestHeader.Descriptor.FindFieldByName("auth_revision").FieldNumber);
        Assert.Equal("cairnpb", InternalReflection.Descriptor.Package);
    }

    [Fact]
    public void RoundTrip_PreservesEnvelope()
    {
        var request = new InternalRaftRequest
        {
            Version = InternalRaftRequest.CurrentVersion,
            Header = new RequestHeader { ID = 42, Username = "root", AuthRevision = 7 },
            ClusterMemberAttrSet = new ClusterMemberAttrSetRequest
            {
                MemberId = 0x8e9e05c52164694d,
                MemberAttributes = new MemberAttributes { Name = "default", ClientUrls = { "http://127.0.0.1:2379" } },
            },
        };

        var parsed = InternalRaftRequest.Parser.ParseFrom(request.ToByteArray());

        Assert.Equal(request, parsed);
        Assert.Equal(InternalRaftRequest.RequestOneofCase.ClusterMemberAttrSet, parsed.RequestCase);
    }

    [Fact]
    public void IsApplicable_CurrentVersionWithKnownCase_True()
    {
        var request = new InternalRaftRequest { Version = 1, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k") } };

        Assert.True(request.IsApplicable);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(InternalRaftRequest.CurrentVersion + 1)]
    public void IsApplicable_UnknownVersion_False(uint version)
    {
        var request = new InternalRaftRequest { Version = version, Put = new PutRequest() };

        Assert.False(request.IsApplicable);
    }

    [Fact]
    public void IsApplicable_NoRequestCase_False()
    {
        Assert.False(new InternalRaftRequest { Version = 1 }.IsApplicable);
    }

    [Fact]
    public void IsApplicable_RequestCaseFromNewerBuild_False()
    {
        // A newer build's case: field 99, length-delimited, empty message. This build parses it as an unknown field.
        var bytes = new InternalRaftRequest { Version = 1 }.ToByteArray().Concat(new byte[] { 0x9a, 0x06, 0x00 }).ToArray();

        var parsed = InternalRaftRequest.Parser.ParseFrom(bytes);

        Assert.Equal(InternalRaftRequest.RequestOneofCase.None, parsed.RequestCase);
        Assert.False(parsed.IsApplicable);
    }
}
