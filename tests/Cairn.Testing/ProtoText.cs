using System.Collections;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Testing;

/// <summary>
/// Renders a protobuf message one field per line with bytes as escaped text (keys and values stay readable), so two
/// responses can be compared line by line in a failure message. Zero values are left out, as on the wire.
/// </summary>
public static class ProtoText
{
    public static string Format(IMessage message)
    {
        var text = new StringBuilder();
        Append(text, message, "");
        return text.Length == 0 ? "(empty)" : text.ToString().TrimEnd('\n');
    }

    /// <summary>The same text on one line, for step logs.</summary>
    public static string OneLine(IMessage message) =>
        string.Join(' ', Format(message).Split('\n').Select(l => l.Trim()));

    /// <summary>The lines of <see cref="Format"/>.</summary>
    public static IReadOnlyList<string> Lines(IMessage message) => Format(message).Split('\n');

    private static void Append(StringBuilder text, IMessage message, string indent)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var index = 0;
                foreach (var item in (IEnumerable)value)
                {
                    AppendValue(text, $"{field.Name}[{index++}]", field, item, indent);
                }
            }
            else if (field.ContainingOneof is { } oneof && !oneof.IsSynthetic)
            {
                if (oneof.Accessor.GetCaseFieldDescriptor(message)?.FieldNumber == field.FieldNumber)
                {
                    AppendValue(text, field.Name, field, value, indent);
                }
            }
            else if (!IsDefault(field, value))
            {
                AppendValue(text, field.Name, field, value, indent);
            }
        }
    }

    private static void AppendValue(StringBuilder text, string name, FieldDescriptor field, object? value, string indent)
    {
        switch (value)
        {
            case IMessage nested:
                text.Append(indent).Append(name).Append(" {\n");
                Append(text, nested, indent + "  ");
                text.Append(indent).Append("}\n");
                break;
            case ByteString bytes:
                text.Append(indent).Append(name).Append(": ").Append(Quote(bytes)).Append('\n');
                break;
            default:
                text.Append(indent).Append(name).Append(": ").Append(field.FieldType == FieldType.Enum ? EnumName(field, value) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                break;
        }
    }

    private static bool IsDefault(FieldDescriptor field, object? value) => value switch
    {
        null => true,
        IMessage => false,
        ByteString b => b.IsEmpty,
        string s => s.Length == 0,
        bool b => !b,
        _ when field.FieldType == FieldType.Enum => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0,
        _ => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture) == 0,
    };

    private static string EnumName(FieldDescriptor field, object? value)
    {
        var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        return field.EnumType.FindValueByNumber(number)?.Name ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Bytes as a double-quoted string: printable ASCII as is, everything else as \xNN.</summary>
    public static string Quote(ByteString bytes)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes.Span)
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (bytes.Length > 200)
        {
            return $"({bytes.Length} bytes) " + text.ToString(0, 60) + "...\"";
        }

        return text.Append('"').ToString();
    }
}
