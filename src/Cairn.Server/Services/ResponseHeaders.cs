using Cairn.Api.Etcdserverpb;

namespace Cairn.Server.Services;

/// <summary>Fills the outer response header as etcd's v3rpc header.fill does; nested txn headers stay as applied.</summary>
internal static class ResponseHeaders
{
    public static ResponseHeader Fill(this EtcdServer server, ResponseHeader? header)
    {
        header ??= new ResponseHeader();
        header.ClusterId = server.ClusterId;
        header.MemberId = server.MemberId;
        header.RaftTerm = server.Term;
        if (header.Revision == 0)
        {
            header.Revision = server.Revision;
        }
        return header;
    }
}
