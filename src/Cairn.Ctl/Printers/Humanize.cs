using System.Globalization;

namespace Cairn.Ctl.Printers;

/// <summary>go-humanize's Bytes (SI, base 1000): "20 kB", "1.5 MB", "512 B".</summary>
internal static class Humanize
{
    private static readonly string[] Sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

    public static string Bytes(ulong size)
    {
        if (size < 10)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{size} B");
        }

        var e = Math.Floor(Math.Log(size) / Math.Log(1000));
        var suffix = Sizes[(int)e];
        var val = Math.Floor((size / Math.Pow(1000, e) * 10) + 0.5) / 10;
        // Go's %.0f / %.1f round half to even.
        return val < 10
            ? Math.Round(val, 1, MidpointRounding.ToEven).ToString("0.0", CultureInfo.InvariantCulture) + " " + suffix
            : Math.Round(val, 0, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + " " + suffix;
    }
}
