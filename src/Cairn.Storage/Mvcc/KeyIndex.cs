namespace Cairn.Storage.Mvcc;

/// <summary>Visits index entries in key order; return false to stop.</summary>
internal interface IKeyVisitor
{
    bool Visit(KeyLeaf leaf, int index);
}

/// <summary>What a put found: the generation's create revision and version after the put, and the lease it replaced.</summary>
internal readonly record struct PutOutcome(long Created, long Version, long PreviousLease);

/// <summary>
/// The in-memory key index: a B+tree over keys (bytewise order) whose leaves hold <see cref="KeyEntry"/> records inline
/// and key bytes in a per-leaf arena, so a million keys cost a few objects per 64 keys rather than several per key.
/// Readers share a lock; puts, tombstones and each compaction chunk take it exclusively for a short time.
/// Appends (ascending keys) split leaves at the end, which keeps them full.
/// </summary>
internal sealed partial class KeyIndex
{
    public const int LeafCapacity = 64;
    public const int BranchCapacity = 64;
    private const int MinFill = LeafCapacity / 4;
    private const int MaxDepth = 32;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly KeyBranch[] _pathNodes = new KeyBranch[MaxDepth];
    private readonly int[] _pathIndexes = new int[MaxDepth];
    private KeyNode _root = new KeyLeaf();
    private int _count;

    /// <summary>Keys in the index, live or with only history left.</summary>
    public int Count => Volatile.Read(ref _count);

    public PutOutcome Put(ReadOnlySpan<byte> key, long main, long sub, long lease)
    {
        _lock.EnterWriteLock();
        try
        {
            (KeyLeaf leaf, int pos, bool fresh) = FindOrInsert(key);
            ref KeyEntry e = ref leaf.Entries[pos];
            bool live = !fresh && e.IsLive;
            var outcome = new PutOutcome(live ? e.Created : main, live ? e.Version + 1 : 1, live ? e.Lease : 0);
            SetNewest(ref e, fresh, main, KeyEntry.Flags(sub, false));
            e.Created = outcome.Created;
            e.Version = outcome.Version;
            e.Lease = lease;
            return outcome;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Ends the key's generation; false (and no change) when the key is not live.</summary>
    public bool Tombstone(ReadOnlySpan<byte> key, long main, long sub, out long previousLease)
    {
        previousLease = 0;
        _lock.EnterWriteLock();
        try
        {
            KeyLeaf leaf = FindLeaf(key, recordPath: false);
            int pos = leaf.Search(key);
            if (pos < 0 || !leaf.Entries[pos].IsLive)
            {
                return false;
            }
            ref KeyEntry e = ref leaf.Entries[pos];
            previousLease = e.Lease;
            e.Append(main, KeyEntry.Flags(sub, true));
            e.Created = 0;
            e.Version = 0;
            e.Lease = 0;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Replays one stored revision (in revision order) while rebuilding the index from the backend.</summary>
    public void Restore(ReadOnlySpan<byte> key, long main, long sub, bool tombstone, long created, long version, long lease)
    {
        _lock.EnterWriteLock();
        try
        {
            (KeyLeaf leaf, int pos, bool fresh) = FindOrInsert(key);
            ref KeyEntry e = ref leaf.Entries[pos];
            SetNewest(ref e, fresh, main, KeyEntry.Flags(sub, tombstone));
            e.Created = tombstone ? 0 : created;
            e.Version = tombstone ? 0 : version;
            e.Lease = tombstone ? 0 : lease;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Counts the keys of [key, end) live at <paramref name="atRev"/> and collects the revisions of the first
    /// <paramref name="limit"/> (when <paramref name="revisions"/> is given). Empty end: the single key; end "\0": no bound.
    /// </summary>
    public long Range(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, long atRev, int limit, List<Revision>? revisions)
    {
        var visitor = new RangeVisitor(atRev, limit, revisions);
        VisitRange(key, end, ref visitor);
        return visitor.Count;
    }

    /// <summary>The keys of [key, end) live at <paramref name="atRev"/>, in order (what a DeleteRange removes).</summary>
    public List<byte[]> LiveKeys(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, long atRev)
    {
        var visitor = new LiveKeysVisitor(atRev, []);
        VisitRange(key, end, ref visitor);
        return visitor.Keys;
    }

    /// <summary>
    /// Compacts up to <paramref name="maxKeys"/> keys after <paramref name="after"/> (null: from the start) at
    /// <paramref name="atRev"/>, adding the dropped events to <paramref name="removed"/>. Returns the key to resume
    /// after, or null when the whole index is done.
    /// </summary>
    public byte[]? CompactChunk(long atRev, byte[]? after, int maxKeys, List<(long Main, int SubFlags)> removed)
    {
        _lock.EnterWriteLock();
        try
        {
            var visitor = new CompactVisitor(atRev, after, maxKeys, removed);
            bool done = Walk(_root, after ?? [], default, unbounded: true, ref visitor);
            byte[]? resume = done || visitor.LastLeaf is null ? null : visitor.LastLeaf.KeyAt(visitor.LastIndex).ToArray();
            if (visitor.Emptied is not null)
            {
                foreach (byte[] key in visitor.Emptied)
                {
                    Remove(key);
                }
            }
            return resume;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// The revisions (at most <paramref name="maxMain"/>) that a compaction at <paramref name="atRev"/> keeps: each key's
    /// value at atRev. <paramref name="anyLive"/> tells whether any key is live at atRev at all (etcd's HashKV needs both).
    /// </summary>
    public HashSet<Revision> Keep(long atRev, long maxMain, out bool anyLive)
    {
        var visitor = new KeepVisitor(atRev, maxMain, []);
        _lock.EnterReadLock();
        try
        {
            Walk(_root, [], default, unbounded: true, ref visitor);
        }
        finally
        {
            _lock.ExitReadLock();
        }
        anyLive = visitor.AnyLive;
        return visitor.Kept;
    }

    /// <summary>Calls <paramref name="action"/> for every live key with a lease (to re-attach keys to leases on restart).</summary>
    public void ForEachLeased(Action<byte[], long> action)
    {
        var visitor = new LeasedVisitor(action);
        _lock.EnterReadLock();
        try
        {
            Walk(_root, [], default, unbounded: true, ref visitor);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static void SetNewest(ref KeyEntry e, bool fresh, long main, int flags)
    {
        if (fresh)
        {
            e.LastMain = main;
            e.LastSubFlags = flags;
        }
        else
        {
            e.Append(main, flags);
        }
    }

    private void VisitRange<TVisitor>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> end, ref TVisitor visitor)
        where TVisitor : struct, IKeyVisitor
    {
        _lock.EnterReadLock();
        try
        {
            if (end.IsEmpty)
            {
                KeyLeaf leaf = FindLeaf(key, recordPath: false);
                int pos = leaf.Search(key);
                if (pos >= 0)
                {
                    visitor.Visit(leaf, pos);
                }
                return;
            }
            bool unbounded = end.Length == 1 && end[0] == 0;
            if (!unbounded && key.SequenceCompareTo(end) >= 0)
            {
                return;
            }
            Walk(_root, key, end, unbounded, ref visitor);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>In-order walk from the first key &gt;= start; false when the visitor or the end bound stopped it.</summary>
    private static bool Walk<TVisitor>(KeyNode node, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, bool unbounded, ref TVisitor visitor)
        where TVisitor : struct, IKeyVisitor
    {
        if (node is KeyLeaf leaf)
        {
            for (int i = start.IsEmpty ? 0 : leaf.LowerBound(start); i < leaf.Count; i++)
            {
                if (!unbounded && leaf.KeyAt(i).SequenceCompareTo(end) >= 0)
                {
                    return false;
                }
                if (!visitor.Visit(leaf, i))
                {
                    return false;
                }
            }
            return true;
        }
        var branch = (KeyBranch)node;
        for (int c = start.IsEmpty ? 0 : branch.ChildIndex(start); c < branch.Count; c++)
        {
            if (!unbounded && c > 0 && branch.Keys[c - 1].AsSpan().SequenceCompareTo(end) >= 0)
            {
                return false;
            }
            if (!Walk(branch.Children[c], start, end, unbounded, ref visitor))
            {
                return false;
            }
            start = default;
        }
        return true;
    }

    private KeyLeaf FindLeaf(ReadOnlySpan<byte> key, bool recordPath) => FindLeaf(key, recordPath, out _);

    private KeyLeaf FindLeaf(ReadOnlySpan<byte> key, bool recordPath, out int depth)
    {
        KeyNode node = _root;
        depth = 0;
        while (node is KeyBranch branch)
        {
            int c = branch.ChildIndex(key);
            if (recordPath)
            {
                _pathNodes[depth] = branch;
                _pathIndexes[depth] = c;
            }
            depth++;
            node = branch.Children[c];
        }
        return (KeyLeaf)node;
    }

    private (KeyLeaf Leaf, int Pos, bool Fresh) FindOrInsert(ReadOnlySpan<byte> key)
    {
        KeyLeaf leaf = FindLeaf(key, recordPath: true, out int depth);
        int pos = leaf.Search(key);
        if (pos >= 0)
        {
            return (leaf, pos, false);
        }
        int at = ~pos;
        leaf.InsertAt(at, key);
        _count++;
        if (leaf.Count <= LeafCapacity)
        {
            return (leaf, at, true);
        }
        // Appending at the end keeps the left leaf full (ascending inserts); otherwise split in the middle.
        int splitAt = at == leaf.Count - 1 ? leaf.Count - 1 : leaf.Count / 2;
        KeyLeaf right = leaf.SplitAt(splitAt);
        InsertIntoParents(depth, leaf, right.KeyAt(0).ToArray(), right);
        return at < splitAt ? (leaf, at, true) : (right, at - splitAt, true);
    }

    private void InsertIntoParents(int depth, KeyNode left, byte[] separator, KeyNode right)
    {
        for (int level = depth - 1; ; level--)
        {
            if (level < 0)
            {
                var root = new KeyBranch { Count = 2 };
                root.Children[0] = left;
                root.Children[1] = right;
                root.SetKey(0, separator);
                _root = root;
                return;
            }
            KeyBranch parent = _pathNodes[level];
            int at = _pathIndexes[level];
            parent.InsertAfter(at, separator, right);
            if (parent.Count <= BranchCapacity)
            {
                return;
            }
            int m = at + 1 == parent.Count - 1 ? parent.Count - 1 : parent.Count / 2;
            var sibling = new KeyBranch { Count = parent.Count - m };
            Array.Copy(parent.Children, m, sibling.Children, 0, sibling.Count);
            Array.Copy(parent.Keys, m, sibling.Keys, 0, sibling.Count - 1);
            Array.Copy(parent.Prefixes, m, sibling.Prefixes, 0, sibling.Count - 1);
            byte[] promoted = parent.Keys[m - 1];
            Array.Clear(parent.Children, m, parent.Count - m);
            Array.Clear(parent.Keys, m - 1, parent.Count - m);
            parent.Count = m;
            left = parent;
            separator = promoted;
            right = sibling;
        }
    }

    private void Remove(ReadOnlySpan<byte> key)
    {
        KeyLeaf leaf = FindLeaf(key, recordPath: true, out int depth);
        int pos = leaf.Search(key);
        if (pos < 0)
        {
            return;
        }
        leaf.RemoveAt(pos);
        _count--;
        KeyNode node = leaf;
        for (int level = depth - 1; level >= 0; level--)
        {
            KeyBranch parent = _pathNodes[level];
            int at = _pathIndexes[level];
            if (node.Count == 0)
            {
                parent.RemoveChild(at);
                node = parent;
                continue;
            }
            if (node.Count >= MinFill)
            {
                break;
            }
            int li = at + 1 < parent.Count ? at : at - 1;
            if (li < 0 || !TryMerge(parent.Children[li], parent.Children[li + 1], parent.Keys[li]))
            {
                break;
            }
            parent.RemoveChild(li + 1);
            node = parent;
        }
        while (_root is KeyBranch { Count: 1 } single)
        {
            _root = single.Children[0];
        }
        if (_root is KeyBranch { Count: 0 })
        {
            _root = new KeyLeaf();
        }
    }

    private static bool TryMerge(KeyNode left, KeyNode right, byte[] separator)
    {
        if (left is KeyLeaf l && right is KeyLeaf r)
        {
            if (l.Count + r.Count > LeafCapacity)
            {
                return false;
            }
            l.AppendFrom(r, 0, r.Count);
            return true;
        }
        var lb = (KeyBranch)left;
        var rb = (KeyBranch)right;
        if (lb.Count + rb.Count > BranchCapacity)
        {
            return false;
        }
        lb.SetKey(lb.Count - 1, separator);
        Array.Copy(rb.Children, 0, lb.Children, lb.Count, rb.Count);
        Array.Copy(rb.Keys, 0, lb.Keys, lb.Count, rb.Count - 1);
        Array.Copy(rb.Prefixes, 0, lb.Prefixes, lb.Count, rb.Count - 1);
        lb.Count += rb.Count;
        return true;
    }
}
