using System.Text;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// Questions on stdout, answers from stdin. On a terminal a secret is read without echo; otherwise one line is read,
/// so scripts can pipe answers in. Answers are never written anywhere.
/// </summary>
internal sealed class Prompter(CliConsole console)
{
    /// <summary>One line of input, or null at end of input.</summary>
    public string? Ask(string prompt)
    {
        console.Output.Write(prompt);
        console.Output.Flush();
        return console.Input.ReadLine();
    }

    public string? AskSecret(string prompt)
    {
        if (!console.InputIsTerminal)
        {
            var answer = Ask(prompt);
            console.Output.Write('\n');
            return answer;
        }

        console.Output.Write(prompt);
        console.Output.Flush();
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                console.Output.Write('\n');
                return secret.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                secret.Length = Math.Max(0, secret.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }
    }

    /// <summary>All of stdin without one trailing newline (docker's <c>--password-stdin</c>).</summary>
    public string ReadAllInput()
    {
        var text = console.Input.ReadToEnd();
        text = text.EndsWith('\n') ? text[..^1] : text;
        return text.EndsWith('\r') ? text[..^1] : text;
    }
}
