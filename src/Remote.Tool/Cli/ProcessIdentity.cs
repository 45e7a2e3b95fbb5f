namespace DotnetRemote.Tool.Cli;

/// <summary>Who runs the tool and how it was started, from <c>/proc</c> (Linux); neutral answers elsewhere.</summary>
internal static class ProcessIdentity
{
    public const string ToolName = "dotnet-remote";
    public const string DotnetSubcommandName = "dotnet remote";

    /// <summary>The real uid (Apptainer's <c>U=</c> in debug lines), or <c>?</c> where <c>/proc</c> does not say.</summary>
    public static string UserId { get; } = ReadUserId();

    /// <summary>
    /// <c>dotnet remote</c> when the parent process is the dotnet host running <c>dotnet remote …</c> (how the SDK
    /// starts a tool named <c>dotnet-remote</c>), else <c>dotnet-remote</c>.
    /// </summary>
    public static string ProgramName()
    {
        try
        {
            var status = File.ReadAllText("/proc/self/stat");

            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
            var fields = status[(status.LastIndexOf(')') + 2)..].Split(' ');
            var cmdline = File.ReadAllText($"/proc/{fields[1]}/cmdline");
            return ProgramName(cmdline.Split('\0', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return ToolName;
        }
    }

    /// <summary>The name for a parent command line: <c>dotnet [host options] remote …</c> gives <c>dotnet remote</c>.</summary>
    internal static string ProgramName(IReadOnlyList<string> parentCommandLine)
    {
        // A process that rewrote its title has one space-separated string instead of NUL-separated arguments.
        var words = parentCommandLine.Count == 1 ? parentCommandLine[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) : parentCommandLine;
        if (words.Count < 2 || Path.GetFileNameWithoutExtension(words[0]) != "dotnet")
        {
            return ToolName;
        }

        var first = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-'));
        return first == "remote" ? DotnetSubcommandName : ToolName;
    }

    private static string ReadUserId()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    return line[4..].Trim().Split('\t', ' ')[0];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return "?";
    }
}
