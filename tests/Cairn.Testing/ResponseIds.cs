using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Testing;

/// <summary>
/// Clears what legitimately differs between two independent clusters: every ResponseHeader's cluster_id, member_id
/// and raft_term, at any depth (txn responses nest headers). Revisions are kept: they must match.
/// </summary>
public static class ResponseIds
{
    private const string HeaderType = "etcdserverpb.ResponseHeader";

    /// <summary>A normalized clone; the argument is left unchanged.</summary>
    public static T Cleared<T>(T message) where T : IMessage<T>
    {
        var copy = message.Clone();
        Clear(copy);
        return copy;
    }

    private static void Clear(IMessage message)
    {
        if (message.Descriptor.FullName == HeaderType)
        {
            foreach (var name in (string[])["cluster_id", "member_id", "raft_term"])
            {
                var field = message.Descriptor.FindFieldByName(name);
                field?.Accessor.Clear(message);
            }

            return;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                foreach (var item in (IEnumerable)value)
                {
                    if (item is IMessage nested)
                    {
                        Clear(nested);
                    }
                }
            }
            else if (value is IMessage nested)
            {
                Clear(nested);
            }
        }
    }
}
