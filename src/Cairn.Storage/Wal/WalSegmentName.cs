using System.Globalization;

namespace Cairn.Storage.Wal;

/// <summary>A segment file name, "%016x-%016x.wal": sequence number, then the raft index of the first entry it may hold.</summary>
internal readonly record struct WalSegmentName(ulong Seq, ulong Index)
{
    public const string Extension = ".wal";

    public string FileName => $"{Seq:x16}-{Index:x16}{Extension}";

    public static bool TryParse(string fileName, out WalSegmentName name)
    {
        name = default;
        if (fileName.Length != 16 + 1 + 16 + Extension.Length || fileName[16] != '-' || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }
        if (!ulong.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong seq)
            || !ulong.TryParse(fileName.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong index))
        {
            return false;
        }
        name = new WalSegmentName(seq, index);
        return true;
    }

    /// <summary>The segments in <paramref name="dir"/>, ordered by sequence number; other files are ignored.</summary>
    public static List<WalSegmentName> List(string dir)
    {
        var names = new List<WalSegmentName>();
        if (!Directory.Exists(dir))
        {
            return names;
        }
        foreach (string path in Directory.EnumerateFiles(dir, "*" + Extension))
        {
            if (TryParse(Path.GetFileName(path), out WalSegmentName name))
            {
                names.Add(name);
            }
        }
        names.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return names;
    }
}
