namespace Cairn.Ctl.Cli;

/// <summary>Reads a password: without echo on a terminal (like speakeasy), else one line of stdin.</summary>
internal static class PasswordPrompt
{
    public static string Ask(CtlConsole console, string prompt)
    {
        console.Error.Write(prompt);
        if (!Console.IsInputRedirected)
        {
            var chars = new List<char>();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    break;
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    if (chars.Count > 0)
                    {
                        chars.RemoveAt(chars.Count - 1);
                    }

                    continue;
                }

                chars.Add(key.KeyChar);
            }

            console.Error.WriteLine();
            return new string([.. chars]);
        }

        var line = console.ReadLine();
        console.Error.WriteLine();
        return line ?? "";
    }
}
