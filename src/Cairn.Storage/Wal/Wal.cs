using System.Buffers.Binary;
using Cairn.Raft.Raftpb;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Wal;

/// <summary>
/// The raft write-ahead log: HardStates, entries and snapshot markers, appended and fdatasynced when raft says MustSync.
/// <para><b>Files.</b> A WAL is a directory of segments named "%016x-%016x.wal": a sequence number that grows by one
/// per segment, then the raft index of the first entry the segment may hold (last index + 1 when it was cut; 0 for the
/// first). Each segment is preallocated to <see cref="WalOptions.SegmentBytes"/> (zeros after the data); an append that
/// reaches that size cuts a new segment, which is written under a ".tmp" name, synced, then renamed. A background
/// <see cref="WalZeroer"/> overwrites the preallocated space just ahead of the tail with zeros, so that an append's
/// fdatasync does not also convert unwritten extents; the bytes, and so the format, stay the same.</para>
/// <para><b>Frames.</b> Records are frames laid back to back from offset 0, each 8-byte aligned:</para>
/// <code>
///   u64 LE  word    = payload length (low 56 bits) | record type (high 8 bits); a zero word marks the end of data
///   u32 LE  crc     = CRC-32C chained over records: Update(previous frame's crc, [type] ++ payload)
///   u32     zero
///   payload, then zero padding to the next multiple of 8
/// </code>
/// <para><b>Records.</b> 1 Metadata (opaque bytes, the same in every segment), 2 Entry (raftpb.Entry), 3 State
/// (raftpb.HardState), 4 Crc (no payload; its crc field carries the chain value from the end of the previous segment and
/// seeds the chain), 5 Snapshot (u64 LE index, u64 LE term, then raftpb.ConfState). A segment starts with Crc, Metadata
/// and, when one was saved, the current State; the first segment also holds the Snapshot marker (0, 0).</para>
/// <para><b>Recovery.</b> A bad frame in the last segment is a torn write, and is zeroed and overwritten, when the file ends
/// inside it, or when one of its 512-byte sectors is all zeros and only zeros follow it. A bad frame anywhere else, a
/// broken chain, an entry gap, conflicting metadata or a missing snapshot marker throws <see cref="WalCorruptException"/>
/// naming the file and offset. Entries at an index already seen replace the earlier ones (raft log truncation).</para>
/// <para>Single writer: an open WAL holds an exclusive advisory lock on "wal.lock" in its directory, so a second
/// process cannot open it; segments themselves stay readable (<see cref="ValidSnapshotEntries"/>).</para>
/// </summary>
public sealed class Wal : IDisposable
{
    private const string LockFileName = "wal.lock";

    private readonly object _gate = new();
    private readonly string _dir;
    private readonly WalOptions _options;
    private readonly WalSnapshot _start;
    private readonly List<WalSegmentName> _segments;
    private readonly SafeFileHandle _dirLock;
    private readonly WalZeroer _zeroer;
    private byte[] _metadata;
    private WalEncoder _encoder;
    private SafeFileHandle _tail;
    private long _tailOffset;
    private ulong _lastIndex;
    private HardState _state = new();
    private bool _mustReadFirst;
    private bool _disposed;
    private long _syncCount;

    private Wal(string dir, WalOptions options, WalSnapshot start, List<WalSegmentName> segments, SafeFileHandle dirLock, SafeFileHandle tail, byte[] metadata)
    {
        _dir = dir;
        _dirLock = dirLock;
        _options = options;
        _start = start;
        _segments = segments;
        _tail = tail;
        _metadata = metadata;
        _encoder = new WalEncoder(0);
        _zeroer = new WalZeroer(_gate, options);
    }

    /// <summary>Number of fdatasyncs issued since this instance was created (group commit shares them).</summary>
    public long SyncCount => Interlocked.Read(ref _syncCount);

    /// <summary>Index of the last entry saved or read.</summary>
    public ulong LastIndex
    {
        get
        {
            lock (_gate)
            {
                return _lastIndex;
            }
        }
    }

    /// <summary>Test probe: the end of the records in the tail segment.</summary>
    internal long TailOffset
    {
        get
        {
            lock (_gate)
            {
                return _tailOffset;
            }
        }
    }

    /// <summary>Test probe: the zeroer, for its watermark and thread state.</summary>
    internal WalZeroer Zeroer => _zeroer;

    public static bool Exists(string dir) => WalSegmentName.List(dir).Count > 0;

    /// <summary>Creates a WAL in <paramref name="dir"/> (which must hold no segments) ready for appends.</summary>
    public static Wal Create(string dir, ReadOnlySpan<byte> metadata, WalOptions? options = null)
    {
        options ??= WalOptions.Default;
        dir = Path.GetFullPath(dir);
        if (Exists(dir))
        {
            throw new InvalidOperationException($"wal: {dir} already holds a WAL");
        }
        string tmp = dir.TrimEnd(Path.DirectorySeparatorChar) + ".tmp";
        if (Directory.Exists(tmp))
        {
            Directory.Delete(tmp, recursive: true);
        }
        Directory.CreateDirectory(tmp);
        var first = new WalSegmentName(0, 0);
        SafeFileHandle handle = CreateSegmentFile(Path.Combine(tmp, first.FileName), options.SegmentBytes);
        var encoder = new WalEncoder(0);
        encoder.AppendCrc();
        encoder.AppendMetadata(metadata);
        encoder.AppendSnapshot(default);
        RandomAccess.Write(handle, encoder.Written, 0);
        long offset = encoder.Length;
        encoder.Clear();
        FileSync.DataSync(handle);
        if (Directory.Exists(dir))
        {
            if (Directory.EnumerateFileSystemEntries(dir).Any(p => Path.GetFileName(p) != LockFileName))
            {
                handle.Dispose();
                throw new InvalidOperationException($"wal: {dir} exists and is not empty");
            }
            Directory.Delete(dir, recursive: true);
        }
        Directory.Move(tmp, dir);
        FileSync.SyncDirectory(Path.GetDirectoryName(dir)!);
        var wal = new Wal(dir, options, default, [first], LockDirectory(dir), handle, metadata.ToArray())
        {
            _encoder = encoder,
            _tailOffset = offset,
            _syncCount = 1,
        };
        lock (wal._gate)
        {
            wal.TrackTail();
        }
        return wal;
    }

    /// <summary>
    /// Opens the WAL for recovery from <paramref name="start"/> (the newest snapshot the caller has, or default).
    /// <see cref="ReadAll"/> must be called before appending.
    /// </summary>
    public static Wal Open(string dir, WalSnapshot start, WalOptions? options = null)
    {
        options ??= WalOptions.Default;
        dir = Path.GetFullPath(dir);
        List<WalSegmentName> names = WalSegmentName.List(dir);
        if (names.Count == 0)
        {
            throw new WalCorruptException($"no segment files in {dir}");
        }
        CheckSequence(dir, names);
        int first = names.FindLastIndex(n => n.Index <= start.Index);
        if (first < 0)
        {
            throw new WalCorruptException($"no segment in {dir} can hold index {start.Index}");
        }
        List<WalSegmentName> held = names.GetRange(first, names.Count - first);
        SafeFileHandle dirLock = LockDirectory(dir);
        try
        {
            SafeFileHandle tail = OpenSegment(Path.Combine(dir, held[^1].FileName), FileAccess.ReadWrite);
            return new Wal(dir, options, start, held, dirLock, tail, []) { _mustReadFirst = true };
        }
        catch
        {
            dirLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Snapshot markers of the whole WAL whose index is at most the last saved commit index: the candidates for
    /// Snapshotter.LoadNewestAvailable. Reads without locking and without repairing a torn tail.
    /// </summary>
    public static IReadOnlyList<WalSnapshot> ValidSnapshotEntries(string dir)
    {
        dir = Path.GetFullPath(dir);
        List<WalSegmentName> names = WalSegmentName.List(dir);
        CheckSequence(dir, names);
        var snaps = new List<WalSnapshot>();
        var state = new HardState();
        var decoder = new WalDecoder();
        for (int i = 0; i < names.Count; i++)
        {
            string path = Path.Combine(dir, names[i].FileName);
            using SafeFileHandle handle = OpenSegment(path, FileAccess.Read);
            WalSegmentEnd end = decoder.Decode(handle, path, i == names.Count - 1, (type, payload, _) =>
            {
                if (type == WalRecordType.Snapshot)
                {
                    snaps.Add(DecodeSnapshot(payload));
                }
                else if (type == WalRecordType.State)
                {
                    state = HardState.Parser.ParseFrom(payload);
                }
            });
            if (end.Torn)
            {
                break;
            }
        }
        return snaps.FindAll(s => s.Index <= state.Commit);
    }

    /// <summary>Reads the log from the start snapshot, repairs a torn tail, and positions the WAL for appends.</summary>
    public WalReadResult ReadAll()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_mustReadFirst)
            {
                throw new InvalidOperationException("wal: ReadAll is only valid once, after Open");
            }
            byte[]? metadata = null;
            var state = new HardState();
            var entries = new List<Entry>();
            bool match = false;
            var decoder = new WalDecoder();
            WalSegmentEnd tailEnd = default;
            for (int i = 0; i < _segments.Count; i++)
            {
                bool isLast = i == _segments.Count - 1;
                string path = Path.Combine(_dir, _segments[i].FileName);
                SafeFileHandle handle = isLast ? _tail : OpenSegment(path, FileAccess.Read);
                try
                {
                    WalSegmentEnd end = decoder.Decode(handle, path, isLast, (type, payload, offset) =>
                    {
                        switch (type)
                        {
                            case WalRecordType.Entry:
                                Entry e = Entry.Parser.ParseFrom(payload);
                                if (e.Index > _start.Index)
                                {
                                    ulong up = e.Index - _start.Index - 1;
                                    if (up > (ulong)entries.Count)
                                    {
                                        throw new WalCorruptException($"entry {e.Index} leaves a gap after index {_start.Index + (ulong)entries.Count}", path, offset);
                                    }
                                    entries.RemoveRange((int)up, entries.Count - (int)up);
                                    entries.Add(e);
                                }
                                break;
                            case WalRecordType.State:
                                state = HardState.Parser.ParseFrom(payload);
                                break;
                            case WalRecordType.Metadata:
                                if (metadata is not null && !payload.SequenceEqual(metadata))
                                {
                                    throw new WalCorruptException("metadata conflicts with the earlier segments", path, offset);
                                }
                                metadata ??= payload.ToArray();
                                break;
                            case WalRecordType.Snapshot:
                                WalSnapshot snap = DecodeSnapshot(payload);
                                if (snap.Index == _start.Index)
                                {
                                    if (snap.Term != _start.Term)
                                    {
                                        throw new WalCorruptException($"snapshot marker at index {snap.Index} has term {snap.Term}, expected {_start.Term}", path, offset);
                                    }
                                    match = true;
                                }
                                break;
                        }
                    });
                    if (isLast)
                    {
                        tailEnd = end;
                    }
                }
                finally
                {
                    if (!isLast)
                    {
                        handle.Dispose();
                    }
                }
            }
            if (metadata is null)
            {
                throw new WalCorruptException($"no metadata record in {_dir}");
            }
            if (!match)
            {
                throw new WalCorruptException($"snapshot marker (index {_start.Index}, term {_start.Term}) not found in {_dir}");
            }
            if (tailEnd.Torn)
            {
                // Zero the partial frame so the next append starts on clean preallocated space.
                RandomAccess.Write(_tail, new byte[(int)(tailEnd.TornEnd - tailEnd.ValidEnd)], tailEnd.ValidEnd);
                Sync();
            }
            _tailOffset = tailEnd.ValidEnd;
            _encoder = new WalEncoder(decoder.Crc);
            _metadata = metadata;
            _state = state;
            _lastIndex = entries.Count > 0 ? entries[^1].Index : _start.Index;
            _mustReadFirst = false;
            TrackTail();
            return new WalReadResult(metadata, state, entries) { LastIndex = _lastIndex };
        }
    }

    /// <summary>
    /// Appends <paramref name="entries"/> then <paramref name="state"/> (either may be absent) in one write, and
    /// fdatasyncs iff <paramref name="mustSync"/> (or when the append fills the segment and a new one is cut).
    /// </summary>
    public void Save(HardState? state, IReadOnlyList<Entry> entries, bool mustSync)
    {
        lock (_gate)
        {
            EnsureWritable();
            if (state is null && entries.Count == 0)
            {
                return;
            }
            for (int i = 0; i < entries.Count; i++)
            {
                _encoder.AppendEntry(entries[i]);
                _lastIndex = entries[i].Index;
            }
            if (state is not null)
            {
                _encoder.AppendState(state);
                _state = state.Clone();
            }
            WriteEncoded();
            if (_tailOffset >= _options.SegmentBytes)
            {
                Cut();
            }
            else if (mustSync)
            {
                Sync();
            }
        }
    }

    /// <summary>Appends a snapshot marker and syncs; Open(dir, snapshot) can then start from it.</summary>
    public void SaveSnapshot(WalSnapshot snapshot)
    {
        lock (_gate)
        {
            EnsureWritable();
            _encoder.AppendSnapshot(snapshot);
            WriteEncoded();
            if (_lastIndex < snapshot.Index)
            {
                _lastIndex = snapshot.Index;
            }
            Sync();
        }
    }

    /// <summary>
    /// Declares entries before <paramref name="index"/> (a saved snapshot's index) no longer needed: deletes the segments
    /// before the one that holds <paramref name="index"/>, keeping one more as etcd does. The tail is never deleted.
    /// </summary>
    public void ReleaseLockTo(ulong index)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int firstAtOrAfter = _segments.FindIndex(s => s.Index >= index);
            int keepFrom = firstAtOrAfter >= 0 ? firstAtOrAfter - 1 : _segments.Count - 1;
            if (keepFrom <= 0)
            {
                return;
            }
            ulong keepSeq = _segments[keepFrom].Seq;
            foreach (WalSegmentName name in WalSegmentName.List(_dir))
            {
                if (name.Seq < keepSeq)
                {
                    File.Delete(Path.Combine(_dir, name.FileName));
                }
            }
            FileSync.SyncDirectory(_dir);
            _segments.RemoveRange(0, keepFrom);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        // Outside the lock: the zeroer needs it to see the stop. No append can start once _disposed is set.
        _zeroer.Dispose();
        lock (_gate)
        {
            _tail.Dispose();
            _dirLock.Dispose();
        }
    }

    internal static SafeFileHandle CreateSegmentFile(string path, long size)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.None, size);
        RandomAccess.SetLength(handle, size);
        return handle;
    }

    private static SafeFileHandle OpenSegment(string path, FileAccess access) =>
        File.OpenHandle(path, FileMode.Open, access, FileShare.ReadWrite);

    /// <summary>Fails with an IOException when another WAL instance (in any process) has the directory open.</summary>
    private static SafeFileHandle LockDirectory(string dir) =>
        File.OpenHandle(Path.Combine(dir, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    private static void CheckSequence(string dir, List<WalSegmentName> names)
    {
        for (int i = 1; i < names.Count; i++)
        {
            if (names[i].Seq != names[i - 1].Seq + 1)
            {
                throw new WalCorruptException($"segment sequence numbers in {dir} jump from {names[i - 1].Seq} to {names[i].Seq}");
            }
        }
    }

    private static WalSnapshot DecodeSnapshot(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 16)
        {
            throw new WalCorruptException("snapshot record shorter than 16 bytes");
        }
        ulong index = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        ulong term = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
        ConfState? conf = payload.Length > 16 ? ConfState.Parser.ParseFrom(payload[16..]) : null;
        return new WalSnapshot(index, term, conf);
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_mustReadFirst)
        {
            throw new InvalidOperationException("wal: call ReadAll before appending to an opened WAL");
        }
        _zeroer.ThrowIfFaulted();
    }

    private void WriteEncoded()
    {
        RandomAccess.Write(_tail, _encoder.Written, _tailOffset);
        _tailOffset += _encoder.Length;
        _encoder.Clear();
        _zeroer.Advance(_tailOffset);
    }

    /// <summary>Points the zeroer at the tail segment once appends may go there (after Create, ReadAll or Cut).</summary>
    private void TrackTail() => _zeroer.Track(Path.Combine(_dir, _segments[^1].FileName), _tailOffset);

    private void Sync()
    {
        FileSync.DataSync(_tail);
        Interlocked.Increment(ref _syncCount);
    }

    /// <summary>Seals the full tail (dropping its unused preallocation) and continues in a fresh segment.</summary>
    private void Cut()
    {
        RandomAccess.SetLength(_tail, _tailOffset);
        Sync();
        var name = new WalSegmentName(_segments[^1].Seq + 1, _lastIndex + 1);
        string path = Path.Combine(_dir, name.FileName);
        string tmp = path + ".tmp";
        File.Delete(tmp);
        SafeFileHandle next = CreateSegmentFile(tmp, _options.SegmentBytes);
        try
        {
            _encoder.AppendCrc();
            _encoder.AppendMetadata(_metadata);
            if (_state.Term != 0 || _state.Vote != 0 || _state.Commit != 0)
            {
                _encoder.AppendState(_state);
            }
            RandomAccess.Write(next, _encoder.Written, 0);
            long offset = _encoder.Length;
            _encoder.Clear();
            FileSync.DataSync(next);
            Interlocked.Increment(ref _syncCount);
            File.Move(tmp, path);
            FileSync.SyncDirectory(_dir);
            _tail.Dispose();
            _tail = next;
            _tailOffset = offset;
            _segments.Add(name);
            TrackTail();
        }
        catch
        {
            next.Dispose();
            throw;
        }
    }
}
