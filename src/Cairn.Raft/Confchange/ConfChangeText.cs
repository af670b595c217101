using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Cairn.Raft.Raftpb;

namespace Cairn.Raft.Confchange;

/// <summary>
/// The compact text form of configuration changes used by scripts and debug output: space-separated tokens of a
/// letter and a node ID, v (add voter), l (add learner), r (remove), u (update); e.g. "v1 l2 r3 u4".
/// </summary>
public static class ConfChangeText
{
    /// <summary>Parses the compact form; throws <see cref="FormatException"/> on a malformed token.</summary>
    public static List<ConfChangeSingle> Parse(string text)
    {
        var changes = new List<ConfChangeSingle>();
        foreach (string token in text.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.Length < 2)
            {
                throw new FormatException($"unknown token {token}");
            }

            var type = token[0] switch
            {
                'v' => ConfChangeType.ConfChangeAddNode,
                'l' => ConfChangeType.ConfChangeAddLearnerNode,
                'r' => ConfChangeType.ConfChangeRemoveNode,
                'u' => ConfChangeType.ConfChangeUpdateNode,
                _ => throw new FormatException($"unknown input: {token}"),
            };
            if (!ulong.TryParse(token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
            {
                throw new FormatException($"invalid node ID in {token}");
            }

            changes.Add(new ConfChangeSingle { Type = type, NodeId = id });
        }

        return changes;
    }

    /// <summary>Formats changes in the compact form.</summary>
    public static string Format(IEnumerable<ConfChangeSingle> changes)
    {
        var sb = new StringBuilder();
        foreach (var cc in changes)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(cc.Type switch
            {
                ConfChangeType.ConfChangeAddNode => 'v',
                ConfChangeType.ConfChangeAddLearnerNode => 'l',
                ConfChangeType.ConfChangeRemoveNode => 'r',
                ConfChangeType.ConfChangeUpdateNode => 'u',
                _ => '?',
            }).Append(cc.NodeId.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
