using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Ctl.Printers;

/// <summary>
/// Go's encoding/json of etcd's gogo-generated structs, which etcdctl -w json prints: fields in .proto declaration
/// order under their .proto names, every field omitempty, int64/uint64 as plain numbers, enums as numbers, bytes as
/// base64, and a oneof as <c>"Response":{"ResponseRange":{...}}</c> (the Go interface field and wrapper struct names).
/// Strings are escaped as Go 1.19 escapes them (HTML-safe, \u00XX for other controls).
/// </summary>
internal sealed class GoJson
{
    private readonly StringBuilder _sb = new();

    public override string ToString() => _sb.ToString();

    public GoJson Raw(string text)
    {
        _sb.Append(text);
        return this;
    }

    /// <summary>The JSON of a whole message: <c>{...}</c>.</summary>
    public static string Of(IMessage message) => new GoJson().Message(message).ToString();

    public GoJson Message(IMessage message)
    {
        _sb.Append('{');
        var first = true;
        Fields(message, ref first);
        _sb.Append('}');
        return this;
    }

    /// <summary>Writes a message's fields without braces (for Go's embedded struct pointers, whose fields are promoted).</summary>
    public void Fields(IMessage? message, ref bool first)
    {
        if (message is null)
        {
            return;
        }

        var seenOneofs = new HashSet<OneofDescriptor>();
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is { } oneof)
            {
                if (seenOneofs.Add(oneof))
                {
                    WriteOneof(message, oneof, ref first);
                }

                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (IsEmpty(field, value))
            {
                continue;
            }

            Name(field.Name, ref first);
            Value(field, value);
        }
    }

    public void Name(string name, ref bool first)
    {
        if (!first)
        {
            _sb.Append(',');
        }

        first = false;
        String(name);
        _sb.Append(':');
    }

    private void WriteOneof(IMessage message, OneofDescriptor oneof, ref bool first)
    {
        Name(GoName(oneof.Name), ref first);
        var set = oneof.Accessor.GetCaseFieldDescriptor(message);
        if (set is null)
        {
            _sb.Append("null");
            return;
        }

        _sb.Append('{');
        var inner = true;
        Name(GoName(set.Name), ref inner);
        Value(set, set.Accessor.GetValue(message));
        _sb.Append('}');
    }

    private void Value(FieldDescriptor field, object value, bool inRepeated = false)
    {
        if (field.IsRepeated && !inRepeated)
        {
            _sb.Append('[');
            var i = 0;
            foreach (var item in (System.Collections.IEnumerable)value)
            {
                if (i++ > 0)
                {
                    _sb.Append(',');
                }

                Value(field, item, inRepeated: true);
            }

            _sb.Append(']');
            return;
        }

        switch (field.FieldType)
        {
            case FieldType.Message:
                Message((IMessage)value);
                break;
            case FieldType.Bytes:
                String(((ByteString)value).ToBase64());
                break;
            case FieldType.String:
                String((string)value);
                break;
            case FieldType.Bool:
                _sb.Append((bool)value ? "true" : "false");
                break;
            case FieldType.Enum:
                _sb.Append(Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            default:
                _sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static bool IsEmpty(FieldDescriptor field, object? value)
    {
        if (value is null)
        {
            return true;
        }

        if (field.IsRepeated)
        {
            return ((System.Collections.ICollection)value).Count == 0;
        }

        return field.FieldType switch
        {
            FieldType.Message => false,
            FieldType.Bytes => ((ByteString)value).IsEmpty,
            FieldType.String => ((string)value).Length == 0,
            FieldType.Bool => !(bool)value,
            FieldType.Enum => Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0,
            FieldType.Double or FieldType.Float => Convert.ToDouble(value, CultureInfo.InvariantCulture) == 0,
            FieldType.UInt64 or FieldType.Fixed64 => Convert.ToUInt64(value, CultureInfo.InvariantCulture) == 0,
            _ => Convert.ToInt64(value, CultureInfo.InvariantCulture) == 0,
        };
    }

    /// <summary>protoc-gen-go's CamelCase: "response_range" → "ResponseRange".</summary>
    public static string GoName(string protoName)
    {
        var sb = new StringBuilder();
        var upper = true;
        foreach (var c in protoName)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return sb.ToString();
    }

    public GoJson Number(long value)
    {
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public GoJson Number(ulong value)
    {
        _sb.Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public GoJson Bool(bool value)
    {
        _sb.Append(value ? "true" : "false");
        return this;
    }

    /// <summary>A Go JSON string: quotes, backslash, controls, &lt; &gt; &amp;, U+2028/9 escaped; invalid UTF-16 as U+FFFD.</summary>
    public GoJson String(string value)
    {
        _sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': _sb.Append("\\\""); break;
                case '\\': _sb.Append("\\\\"); break;
                case '\n': _sb.Append("\\n"); break;
                case '\r': _sb.Append("\\r"); break;
                case '\t': _sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    _sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
                    {
                        _sb.Append("\\ufffd");
                    }
                    else
                    {
                        _sb.Append(c);
                        if (char.IsHighSurrogate(c))
                        {
                            _sb.Append(value[++i]);
                        }
                    }

                    break;
            }
        }

        _sb.Append('"');
        return this;
    }
}
