using System.Text;

namespace Cairn.Ctl.Cli;

/// <summary>
/// The process's standard streams as etcdctl uses them: stdout takes raw bytes (keys and values are printed as Go
/// prints <c>string(bytes)</c>, so binary data passes through unchanged), stderr takes text, stdin is read either as
/// lines (txn, watch -i, passwords) or whole (put's value).
/// </summary>
internal sealed class CtlConsole(Stream stdout, TextWriter stderr, Stream stdin)
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private readonly Lock _gate = new();
    private StreamReader? _reader;

    public static CtlConsole System() =>
        new(Console.OpenStandardOutput(), new StreamWriter(Console.OpenStandardError(), Utf8) { AutoFlush = true }, Console.OpenStandardInput());

    public TextWriter Error { get; } = stderr;

    /// <summary>Writes text (UTF-8) to stdout.</summary>
    public void Write(string text)
    {
        var bytes = Utf8.GetBytes(text);
        Write(bytes);
    }

    public void WriteLine(string text = "") => Write(text + "\n");

    /// <summary>Writes raw bytes to stdout; one call is one write, so concurrent watchers do not interleave lines.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            stdout.Write(bytes);
            stdout.Flush();
        }
    }

    /// <summary>Reads one line of stdin without its line ending; null at end of input.</summary>
    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        Reader().ReadLineAsync(cancellationToken).AsTask();

    /// <summary>Reads one line of stdin synchronously (password prompts, which run before any async work).</summary>
    public string? ReadLine() => Reader().ReadLine();

    /// <summary>Reads the rest of stdin as raw bytes (put's value, as etcdctl's argOrStdin reads it).</summary>
    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private StreamReader Reader() => _reader ??= new StreamReader(stdin, Utf8, false, 4096, leaveOpen: true);
}
