using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// Help as Apptainer (cobra) lays it out: the command's one-line description first, then usage, arguments (each with
/// its description), options and subcommands. Installed as the <see cref="HelpOption"/>'s action, System.CommandLine's
/// customisation point for help; the same usage text follows every usage error on stderr.
/// </summary>
internal sealed class HelpWriter(string programName)
{
    public string ProgramName { get; } = programName;

    /// <summary><c>dotnet remote keyserver add</c>: the program name, then the command names below the root.</summary>
    public string CommandPath(Command command)
    {
        var names = new List<string>();
        for (var current = command; current is not null && current is not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(current.Name);
        }

        names.Add(ProgramName);
        names.Reverse();
        return string.Join(' ', names);
    }

    public void WriteHelp(Command command, TextWriter output)
    {
        output.Write((command.Description ?? "") + "\n\n");
        WriteUsage(command, output);
    }

    /// <summary>Usage, arguments, options and subcommands (what follows a usage error).</summary>
    public void WriteUsage(Command command, TextWriter output)
    {
        var usage = CommandPath(command);
        if (command.Subcommands.Count > 0)
        {
            usage += " [command]";
        }

        if (VisibleOptions(command).Any())
        {
            usage += " [options]";
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            usage += " " + ArgumentLabel(argument);
        }

        output.Write($"Usage:\n  {usage}\n");

        WriteSection(output, "Arguments", command.Arguments.Where(a => !a.Hidden).Select(a => (ArgumentLabel(a), a.Description ?? "")));
        WriteSection(output, "Options", VisibleOptions(command).Select(o => (OptionLabel(o), o.Description ?? "")));
        WriteSection(output, "Commands", command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")));
    }

    public static string ArgumentLabel(Argument argument)
    {
        if (argument.HelpName is { } custom)
        {
            return custom;
        }

        return argument.Arity.MinimumNumberOfValues == 0 ? $"[<{argument.Name}>]" : $"<{argument.Name}>";
    }

    /// <summary>The command's own options, then the recursive ones it inherits (<c>-c</c>, <c>-d</c>, <c>-h</c>).</summary>
    public static IEnumerable<Option> VisibleOptions(Command command)
    {
        var seen = new HashSet<Option>();
        foreach (var option in command.Options)
        {
            if (!option.Hidden && seen.Add(option))
            {
                yield return option;
            }
        }

        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (var option in parent.Options.Where(o => o.Recursive && !o.Hidden))
            {
                if (seen.Add(option))
                {
                    yield return option;
                }
            }
        }
    }

    private static string OptionLabel(Option option)
    {
        var names = option.Aliases.Where(a => !a.StartsWith('/') && a != "-?").Append(option.Name).Distinct()
            .OrderBy(a => a.StartsWith("--", StringComparison.Ordinal) ? 1 : 0).ThenBy(a => a.Length);
        var label = string.Join(", ", names);
        var takesValue = option.ValueType != typeof(bool) && option.ValueType != typeof(void);
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        return takesValue ? $"{label} {option.HelpName ?? (type == typeof(int) ? "int" : "string")}" : label;
    }

    private static void WriteSection(TextWriter output, string title, IEnumerable<(string Name, string Description)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var width = list.Max(r => r.Name.Length);
        output.Write($"\n{title}:\n");
        foreach (var (name, description) in list)
        {
            output.Write(description.Length == 0 ? $"  {name}\n" : $"  {name.PadRight(width)}  {description}\n");
        }
    }
}

/// <summary>The <c>-h/--help</c> action: <see cref="HelpWriter"/> on stdout, exit 0.</summary>
internal sealed class CliHelpAction(HelpWriter writer, TextWriter output) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        writer.WriteHelp(parseResult.CommandResult.Command, output);
        return 0;
    }
}
