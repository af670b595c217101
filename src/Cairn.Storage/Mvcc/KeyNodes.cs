namespace Cairn.Storage.Mvcc;

/// <summary>
/// A node of the <see cref="KeyIndex"/> B+tree. Every key also has an 8-byte big-endian prefix (zero-padded) kept in
/// a flat array beside it: prefixes order like the keys they start, so binary searches compare integers in one
/// cache-friendly array and touch key bytes only on a prefix tie.
/// </summary>
internal abstract class KeyNode
{
    /// <summary>Entries (leaf) or children (branch).</summary>
    public int Count;

    public static ulong Prefix(ReadOnlySpan<byte> key)
    {
        if (key.Length >= 8)
        {
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key);
        }
        ulong prefix = 0;
        for (int i = 0; i < key.Length; i++)
        {
            prefix |= (ulong)key[i] << (56 - (8 * i));
        }
        return prefix;
    }
}

/// <summary>
/// A leaf: up to <see cref="KeyIndex.LeafCapacity"/> entries in key order. Key bytes live in one arena per leaf, so a
/// key costs its bytes plus the inline <see cref="KeyEntry"/>, with no object of its own.
/// </summary>
internal sealed class KeyLeaf : KeyNode
{
    public KeyEntry[] Entries = new KeyEntry[8];
    public ulong[] Prefixes = new ulong[8];
    public byte[] Arena = new byte[128];
    public int ArenaUsed;
    private int _arenaLive;

    public ReadOnlySpan<byte> KeyAt(int i) => Arena.AsSpan(Entries[i].KeyOffset, Entries[i].KeyLength);

    /// <summary>Index of <paramref name="key"/>, or the bitwise complement of where it would be inserted.</summary>
    public int Search(ReadOnlySpan<byte> key)
    {
        ulong prefix = Prefix(key);
        int lo = 0;
        int hi = Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong p = Prefixes[mid];
            int cmp = p != prefix ? (p < prefix ? -1 : 1) : KeyAt(mid).SequenceCompareTo(key);
            if (cmp == 0)
            {
                return mid;
            }
            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    /// <summary>First index whose key is &gt;= <paramref name="key"/>.</summary>
    public int LowerBound(ReadOnlySpan<byte> key)
    {
        int i = Search(key);
        return i >= 0 ? i : ~i;
    }

    /// <summary>Inserts a fresh entry (no events yet) for <paramref name="key"/> at <paramref name="pos"/>.</summary>
    public void InsertAt(int pos, ReadOnlySpan<byte> key)
    {
        if (Count == Entries.Length)
        {
            Resize(Entries.Length * 2);
        }
        Array.Copy(Entries, pos, Entries, pos + 1, Count - pos);
        Array.Copy(Prefixes, pos, Prefixes, pos + 1, Count - pos);
        Count++;
        int offset = AppendKey(key);
        Entries[pos] = new KeyEntry { KeyOffset = offset, KeyLength = key.Length };
        Prefixes[pos] = Prefix(key);
    }

    public void RemoveAt(int pos)
    {
        _arenaLive -= Entries[pos].KeyLength;
        Array.Copy(Entries, pos + 1, Entries, pos, Count - pos - 1);
        Array.Copy(Prefixes, pos + 1, Prefixes, pos, Count - pos - 1);
        Count--;
        Entries[Count] = default;
        if (Count > 0 && Count * 4 <= Entries.Length && Entries.Length > 8)
        {
            Resize(Math.Max(8, Entries.Length / 2));
        }
        if (_arenaLive * 4 < ArenaUsed && ArenaUsed > 256)
        {
            Repack(Arena.Length / 2);
        }
    }

    /// <summary>Moves entries [from, Count) into a new leaf, which is returned.</summary>
    public KeyLeaf SplitAt(int from)
    {
        var right = new KeyLeaf();
        right.AppendFrom(this, from, Count - from);
        Array.Clear(Entries, from, Count - from);
        Count = from;
        Resize(Math.Max(8, (int)BitOperationsRoundUp(Count)));
        Repack(0);
        return right;
    }

    /// <summary>Appends <paramref name="count"/> entries of <paramref name="source"/> starting at <paramref name="from"/>.</summary>
    public void AppendFrom(KeyLeaf source, int from, int count)
    {
        int need = Count + count;
        if (Entries.Length < need)
        {
            Resize(Math.Max(8, (int)BitOperationsRoundUp(need)));
        }
        for (int i = 0; i < count; i++)
        {
            KeyEntry entry = source.Entries[from + i];
            entry.KeyOffset = AppendKey(source.KeyAt(from + i));
            Prefixes[Count] = source.Prefixes[from + i];
            Entries[Count++] = entry;
        }
    }

    private void Resize(int size)
    {
        Array.Resize(ref Entries, size);
        Array.Resize(ref Prefixes, size);
    }

    private static uint BitOperationsRoundUp(int n) => System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n);

    private int AppendKey(ReadOnlySpan<byte> key)
    {
        if (Arena.Length - ArenaUsed < key.Length)
        {
            // Drop dead bytes first; grow only if live keys need the room.
            int needed = _arenaLive + key.Length;
            int size = Arena.Length;
            while (size < needed * 5 / 4 + 16)
            {
                size *= 2;
            }
            Repack(size);
        }
        int offset = ArenaUsed;
        key.CopyTo(Arena.AsSpan(offset));
        ArenaUsed += key.Length;
        _arenaLive += key.Length;
        return offset;
    }

    private void Repack(int size)
    {
        int live = 0;
        for (int i = 0; i < Count; i++)
        {
            live += Entries[i].KeyLength;
        }
        size = Math.Max(size, Math.Max(128, live));
        byte[] arena = new byte[size];
        int used = 0;
        for (int i = 0; i < Count; i++)
        {
            ref KeyEntry e = ref Entries[i];
            Arena.AsSpan(e.KeyOffset, e.KeyLength).CopyTo(arena.AsSpan(used));
            e.KeyOffset = used;
            used += e.KeyLength;
        }
        Arena = arena;
        ArenaUsed = used;
        _arenaLive = used;
    }
}

/// <summary>
/// An inner node: Children[0..Count) and Count-1 separators, Keys[i] being &lt;= every key under Children[i+1] and
/// &gt; every key under Children[i]. Arrays have one spare slot so an insert can overflow before the split.
/// </summary>
internal sealed class KeyBranch : KeyNode
{
    public byte[][] Keys = new byte[KeyIndex.BranchCapacity][];
    public ulong[] Prefixes = new ulong[KeyIndex.BranchCapacity];
    public KeyNode[] Children = new KeyNode[KeyIndex.BranchCapacity + 1];

    /// <summary>The child whose subtree holds <paramref name="key"/>: the number of separators &lt;= key.</summary>
    public int ChildIndex(ReadOnlySpan<byte> key)
    {
        ulong prefix = Prefix(key);
        int lo = 0;
        int hi = Count - 2;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong p = Prefixes[mid];
            if (p < prefix || (p == prefix && Keys[mid].AsSpan().SequenceCompareTo(key) <= 0))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /// <summary>Inserts <paramref name="child"/> right after position <paramref name="at"/>, split by <paramref name="separator"/>.</summary>
    public void InsertAfter(int at, byte[] separator, KeyNode child)
    {
        Array.Copy(Children, at + 1, Children, at + 2, Count - at - 1);
        Array.Copy(Keys, at, Keys, at + 1, Count - 1 - at);
        Array.Copy(Prefixes, at, Prefixes, at + 1, Count - 1 - at);
        Children[at + 1] = child;
        Keys[at] = separator;
        Prefixes[at] = Prefix(separator);
        Count++;
    }

    /// <summary>Removes child <paramref name="at"/> and the separator next to it.</summary>
    public void RemoveChild(int at)
    {
        int sep = at == 0 ? 0 : at - 1;
        Array.Copy(Children, at + 1, Children, at, Count - at - 1);
        if (Count > 1)
        {
            Array.Copy(Keys, sep + 1, Keys, sep, Count - 2 - sep);
            Array.Copy(Prefixes, sep + 1, Prefixes, sep, Count - 2 - sep);
            Keys[Count - 2] = null!;
        }
        Count--;
        Children[Count] = null!;
    }

    /// <summary>Sets separator <paramref name="i"/> (and its prefix).</summary>
    public void SetKey(int i, byte[] separator)
    {
        Keys[i] = separator;
        Prefixes[i] = Prefix(separator);
    }
}
