namespace Cairn.Storage.Mvcc;

/// <summary>The walks over the index (as allocation-free struct visitors) and the invariant check used by tests.</summary>
internal sealed partial class KeyIndex
{
    /// <summary>Checks the tree's invariants (order, separators, no empty nodes, count); returns (leaves, keys). For tests.</summary>
    internal (int Leaves, int Keys) CheckInvariants()
    {
        _lock.EnterReadLock();
        try
        {
            int leaves = 0;
            int keys = 0;
            byte[]? previous = null;
            Check(_root, null, null, isRoot: true, ref leaves, ref keys, ref previous);
            if (keys != _count)
            {
                throw new InvalidOperationException($"count {_count} but {keys} keys in leaves");
            }
            return (leaves, keys);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static void Check(KeyNode node, byte[]? low, byte[]? high, bool isRoot, ref int leaves, ref int keys, ref byte[]? previous)
    {
        if (node.Count == 0 && !isRoot)
        {
            throw new InvalidOperationException("empty non-root node");
        }
        if (node is KeyLeaf leaf)
        {
            leaves++;
            for (int i = 0; i < leaf.Count; i++)
            {
                byte[] key = leaf.KeyAt(i).ToArray();
                if (previous is not null && previous.AsSpan().SequenceCompareTo(key) >= 0)
                {
                    throw new InvalidOperationException("keys out of order");
                }
                if ((low is not null && low.AsSpan().SequenceCompareTo(key) > 0) || (high is not null && high.AsSpan().SequenceCompareTo(key) <= 0))
                {
                    throw new InvalidOperationException("key outside its separators");
                }
                if (leaf.Prefixes[i] != KeyNode.Prefix(key))
                {
                    throw new InvalidOperationException("stale key prefix");
                }
                previous = key;
                keys++;
            }
            return;
        }
        var branch = (KeyBranch)node;
        if (branch.Count > BranchCapacity || (isRoot && branch.Count < 2))
        {
            throw new InvalidOperationException($"branch with {branch.Count} children");
        }
        for (int c = 0; c < branch.Count - 1; c++)
        {
            if (branch.Prefixes[c] != KeyNode.Prefix(branch.Keys[c]))
            {
                throw new InvalidOperationException("stale separator prefix");
            }
        }
        for (int c = 0; c < branch.Count; c++)
        {
            Check(branch.Children[c], c == 0 ? low : branch.Keys[c - 1], c == branch.Count - 1 ? high : branch.Keys[c], false, ref leaves, ref keys, ref previous);
        }
    }

    private struct RangeVisitor(long atRev, int limit, List<Revision>? revisions) : IKeyVisitor
    {
        public long Count;

        public bool Visit(KeyLeaf leaf, int index)
        {
            if (leaf.Entries[index].TryAt(atRev, out long main, out int sub))
            {
                Count++;
                if (revisions is not null && revisions.Count < limit)
                {
                    revisions.Add(new Revision(main, sub));
                }
            }
            return true;
        }
    }

    private struct LiveKeysVisitor(long atRev, List<byte[]> keys) : IKeyVisitor
    {
        public readonly List<byte[]> Keys = keys;

        public readonly bool Visit(KeyLeaf leaf, int index)
        {
            if (leaf.Entries[index].TryAt(atRev, out _, out _))
            {
                Keys.Add(leaf.KeyAt(index).ToArray());
            }
            return true;
        }
    }

    private struct CompactVisitor(long atRev, byte[]? after, int maxKeys, List<(long Main, int SubFlags)> removed) : IKeyVisitor
    {
        public List<byte[]>? Emptied;
        public KeyLeaf? LastLeaf;
        public int LastIndex;
        private int _processed;

        public bool Visit(KeyLeaf leaf, int index)
        {
            if (after is not null && _processed == 0 && leaf.KeyAt(index).SequenceEqual(after))
            {
                return true;
            }
            if (_processed == maxKeys)
            {
                return false;
            }
            _processed++;
            LastLeaf = leaf;
            LastIndex = index;
            if (leaf.Entries[index].Compact(atRev, removed))
            {
                (Emptied ??= []).Add(leaf.KeyAt(index).ToArray());
            }
            return true;
        }
    }

    private struct KeepVisitor(long atRev, long maxMain, HashSet<Revision> kept) : IKeyVisitor
    {
        public readonly HashSet<Revision> Kept = kept;
        public bool AnyLive;

        public bool Visit(KeyLeaf leaf, int index)
        {
            if (leaf.Entries[index].TryAt(atRev, out long main, out int sub))
            {
                AnyLive = true;
                if (main <= maxMain)
                {
                    Kept.Add(new Revision(main, sub));
                }
            }
            return true;
        }
    }

    private readonly struct LeasedVisitor(Action<byte[], long> action) : IKeyVisitor
    {
        public bool Visit(KeyLeaf leaf, int index)
        {
            ref KeyEntry e = ref leaf.Entries[index];
            if (e.IsLive && e.Lease != 0)
            {
                action(leaf.KeyAt(index).ToArray(), e.Lease);
            }
            return true;
        }
    }
}
