using System.CommandLine;
using Cairn.Api.Etcdserverpb;
using Cairn.Ctl.Cli;
using Cairn.Ctl.Client;
using Google.Protobuf;

namespace Cairn.Ctl.Commands;

/// <summary>get's flags and how they become a RangeRequest (etcdctl's getGetOp with clientv3's option rules).</summary>
internal sealed class GetOptions
{
    public Option<string> Consistency { get; } = GlobalOptions.Text("--consistency", "Linearizable(l) or Serializable(s)", "l");

    public Option<string> Order { get; } = GlobalOptions.Text("--order", "Order of results; ASCEND or DESCEND (ASCEND by default)");

    public Option<string> SortBy { get; } = GlobalOptions.Text("--sort-by", "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION");

    public Option<long> Limit { get; } = GlobalOptions.Int64("--limit", "Maximum number of results");

    public Option<bool> Prefix { get; } = GlobalOptions.Flag("--prefix", "Get keys with matching prefix", false);

    public Option<bool> FromKey { get; } =
        GlobalOptions.Flag("--from-key", "Get keys that are greater than or equal to the given key using byte compare", false);

    public Option<long> Rev { get; } = GlobalOptions.Int64("--rev", "Specify the kv revision");

    public Option<bool> KeysOnly { get; } = GlobalOptions.Flag("--keys-only", "Get only the keys", false);

    public Option<bool> PrintValueOnly { get; } =
        GlobalOptions.Flag("--print-value-only", "Only write values when using the \"simple\" output format", false);

    public Option[] All => [Consistency, Order, SortBy, Limit, Prefix, FromKey, Rev, KeysOnly, PrintValueOnly];

    public RangeRequest Build(ParseResult p, IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw CtlException.BadArgs("get command needs one argument as key and an optional argument as range_end");
        }

        var prefix = p.GetValue(Prefix);
        var fromKey = p.GetValue(FromKey);
        if (prefix && fromKey)
        {
            throw CtlException.BadArgs("`--prefix` and `--from-key` cannot be set at the same time, choose one");
        }

        var request = new RangeRequest();
        switch (p.GetValue(Consistency))
        {
            case "s": request.Serializable = true; break;
            case "l": break;
            case var other: throw new CtlException(ExitCode.BadFeature, $"unknown consistency flag {GoText.Quote(other ?? "")}");
        }

        var key = args[0];
        request.Key = ByteString.CopyFromUtf8(key);
        if (args.Count > 1)
        {
            if (prefix || fromKey)
            {
                throw CtlException.BadArgs("too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
            }

            request.RangeEnd = ByteString.CopyFromUtf8(args[1]);
        }

        request.Limit = p.GetValue(Limit);
        if (p.GetValue(Rev) is > 0 and var rev)
        {
            request.Revision = rev;
        }

        var orderText = p.GetValue(Order) ?? "";
        var order = orderText.ToUpperInvariant() switch
        {
            "ASCEND" => RangeRequest.Types.SortOrder.Ascend,
            "DESCEND" => RangeRequest.Types.SortOrder.Descend,
            "" => RangeRequest.Types.SortOrder.None,
            _ => throw new CtlException(ExitCode.BadFeature, $"bad sort order {orderText}"),
        };
        var targetText = p.GetValue(SortBy) ?? "";
        var target = targetText.ToUpperInvariant() switch
        {
            "CREATE" => RangeRequest.Types.SortTarget.Create,
            "KEY" or "" => RangeRequest.Types.SortTarget.Key,
            "MODIFY" => RangeRequest.Types.SortTarget.Mod,
            "VALUE" => RangeRequest.Types.SortTarget.Value,
            "VERSION" => RangeRequest.Types.SortTarget.Version,
            _ => throw new CtlException(ExitCode.BadFeature, $"bad sort target {targetText}"),
        };

        // clientv3.WithSort: keys already come ascending, so KEY+ASCEND asks for no sort.
        if (target == RangeRequest.Types.SortTarget.Key && order == RangeRequest.Types.SortOrder.Ascend)
        {
            order = RangeRequest.Types.SortOrder.None;
        }

        request.SortOrder = order;
        request.SortTarget = target;
        ApplyRangeFlags(request.Key, prefix, fromKey, k => request.Key = k, e => request.RangeEnd = e);
        request.KeysOnly = p.GetValue(KeysOnly);
        return request;
    }

    /// <summary>--prefix / --from-key as clientv3.WithPrefix / WithFromKey apply them (an empty key means all keys).</summary>
    public static void ApplyRangeFlags(ByteString key, bool prefix, bool fromKey, Action<ByteString> setKey, Action<ByteString> setEnd)
    {
        if (prefix)
        {
            if (key.IsEmpty)
            {
                setKey(KeyRanges.FromKey);
                setEnd(KeyRanges.FromKey);
            }
            else
            {
                setEnd(KeyRanges.PrefixEnd(key));
            }
        }

        if (fromKey)
        {
            if (key.IsEmpty)
            {
                setKey(KeyRanges.FromKey);
            }

            setEnd(KeyRanges.FromKey);
        }
    }
}

/// <summary>put's flags and how they become a PutRequest (etcdctl's getPutOp).</summary>
internal sealed class PutOptions
{
    public const string NeedsArguments = "put command needs 1 argument and input from stdin or 2 arguments";

    public Option<string> Lease { get; } = GlobalOptions.Text("--lease", "lease ID (in hexadecimal) to attach to the key", "0");

    public Option<bool> PrevKv { get; } = GlobalOptions.Flag("--prev-kv", "return the previous key-value pair before modification", false);

    public Option<bool> IgnoreValue { get; } = GlobalOptions.Flag("--ignore-value", "updates the key using its current value", false);

    public Option<bool> IgnoreLease { get; } = GlobalOptions.Flag("--ignore-lease", "updates the key using its current lease", false);

    public Option[] All => [Lease, PrevKv, IgnoreValue, IgnoreLease];

    /// <param name="stdin">Reads the value when it is not an argument (null where stdin is not available, as in txn).</param>
    public async Task<PutRequest> BuildAsync(ParseResult p, IReadOnlyList<string> args, Func<Task<byte[]>>? stdin)
    {
        if (args.Count == 0)
        {
            throw CtlException.BadArgs(NeedsArguments);
        }

        var ignoreValue = p.GetValue(IgnoreValue);
        if (ignoreValue && args.Count > 1)
        {
            throw CtlException.BadArgs("put command needs only 1 argument when 'ignore-value' is set");
        }

        var request = new PutRequest { Key = ByteString.CopyFromUtf8(args[0]) };
        if (!ignoreValue)
        {
            if (args.Count > 1)
            {
                request.Value = ByteString.CopyFromUtf8(args[1]);
            }
            else
            {
                var bytes = stdin is null ? [] : await stdin().ConfigureAwait(false);
                if (bytes.Length == 0)
                {
                    throw CtlException.BadArgs(NeedsArguments);
                }

                request.Value = ByteString.CopyFrom(bytes);
            }
        }

        var leaseText = p.GetValue(Lease) ?? "0";
        if (!GoParse.TryInt64(leaseText, 16, out var lease, out var error))
        {
            throw CtlException.BadArgs($"bad lease ID ({error}), expecting ID in Hex");
        }

        request.Lease = lease;
        request.PrevKv = p.GetValue(PrevKv);
        request.IgnoreValue = ignoreValue;
        request.IgnoreLease = p.GetValue(IgnoreLease);
        return request;
    }
}

/// <summary>del's flags and how they become a DeleteRangeRequest (etcdctl's getDelOp).</summary>
internal sealed class DelOptions
{
    public Option<bool> Prefix { get; } = GlobalOptions.Flag("--prefix", "delete keys with matching prefix", false);

    public Option<bool> PrevKv { get; } = GlobalOptions.Flag("--prev-kv", "return deleted key-value pairs", false);

    public Option<bool> FromKey { get; } =
        GlobalOptions.Flag("--from-key", "delete keys that are greater than or equal to the given key using byte compare", false);

    public Option[] All => [Prefix, PrevKv, FromKey];

    public DeleteRangeRequest Build(ParseResult p, IReadOnlyList<string> args)
    {
        if (args.Count is 0 or > 2)
        {
            throw CtlException.BadArgs("del command needs one argument as key and an optional argument as range_end");
        }

        var prefix = p.GetValue(Prefix);
        var fromKey = p.GetValue(FromKey);
        if (prefix && fromKey)
        {
            throw CtlException.BadArgs("`--prefix` and `--from-key` cannot be set at the same time, choose one");
        }

        var request = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(args[0]) };
        if (args.Count > 1)
        {
            if (prefix || fromKey)
            {
                throw CtlException.BadArgs("too many arguments, only accept one argument when `--prefix` or `--from-key` is set");
            }

            request.RangeEnd = ByteString.CopyFromUtf8(args[1]);
        }

        GetOptions.ApplyRangeFlags(request.Key, prefix, fromKey, k => request.Key = k, e => request.RangeEnd = e);
        request.PrevKv = p.GetValue(PrevKv);
        return request;
    }
}
