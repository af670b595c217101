namespace Cairn.Configuration;

/// <summary>
/// How far cairn implements a flag: the one column that later issues flip from <see cref="NotYet"/> to
/// <see cref="Supported"/> as features land.
/// </summary>
internal enum OptionSupport
{
    /// <summary>Honoured.</summary>
    Supported,

    /// <summary>Any value is taken, and changes nothing that cairn's behaviour can show (e.g. --enable-v2: cairn
    /// serves the v2 endpoints it has either way; a bbolt freelist type: cairn has no bbolt).</summary>
    Accepted,

    /// <summary>Parsed and checked, but a value other than the default stops cairn at startup.</summary>
    NotYet,

    /// <summary>A legacy flag etcd 3.4 itself accepts and ignores with a warning; so does cairn.</summary>
    Ignored,
}
