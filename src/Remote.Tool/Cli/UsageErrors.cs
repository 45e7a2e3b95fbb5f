using System.CommandLine;
using System.CommandLine.Parsing;

namespace DotnetRemote.Tool.Cli;

/// <summary>A usage error in the seed's (cobra's) words, and the command it concerns.</summary>
internal sealed record UsageError(Command Command, string Message, IReadOnlyList<string> Suggestions, bool UnknownCommand);

/// <summary>
/// Turns a <see cref="ParseResult"/> into the seed's usage errors. Besides System.CommandLine's own errors, a token
/// that looks like an option but names none (<c>--bogus</c>, <c>-n</c>) is an error even where a name or URI is
/// expected, as in cobra: only after <c>--</c> may an argument start with a dash.
/// </summary>
internal static class UsageErrors
{
    public static UsageError? Find(ParseResult parseResult, IReadOnlyList<string> args, HelpWriter help)
    {
        var commandResult = parseResult.CommandResult;
        var command = commandResult.Command;
        var flagsEnd = IndexOf(args, "--");

        // Tokens that look like options but were taken as arguments or not matched at all.
        var suspects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in parseResult.UnmatchedTokens.Where(LooksLikeOption))
        {
            suspects.Add(token);
        }

        foreach (var argument in CommandChain(commandResult).SelectMany(c => c.Children.OfType<ArgumentResult>()))
        {
            foreach (var token in argument.Tokens.Select(t => t.Value).Where(LooksLikeOption))
            {
                suspects.Add(token);
            }
        }

        var inScope = OptionsInScope(command).ToList();
        for (var i = 0; i < flagsEnd; i++)
        {
            if (suspects.Contains(args[i]) || (!TakesValue(inScope, i > 0 ? args[i - 1] : null) && UnknownInBundle(args[i], inScope)))
            {
                return new UsageError(command, UnknownFlag(args[i], command), [], false);
            }
        }

        var unmatched = parseResult.UnmatchedTokens.Where(t => !LooksLikeOption(t)).ToList();
        if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
        {
            if (unmatched.Count > 0)
            {
                return new UsageError(command, unmatched[0], Suggest(command, unmatched[0]), true);
            }

            if (command.Action is null)
            {
                // A group without its subcommand: the caller shows the group's help.
                return null;
            }
        }

        foreach (var option in command.Options.Concat(CommandChain(commandResult).Skip(1).SelectMany(c => c.Command.Options.Where(o => o.Recursive))))
        {
            var result = parseResult.GetResult(option);
            if (option.Required && result?.IdentifierToken is null)
            {
                return new UsageError(command, $"required flag(s) \"{option.Name.TrimStart('-')}\" not set", [], false);
            }

            if (result is not null && parseResult.Errors.Any(e => e.SymbolResult == result || e.SymbolResult?.Parent == result))
            {
                return new UsageError(command, OptionError(result), [], false);
            }
        }

        // Cobra's argument count checks (ExactArgs, RangeArgs, MaximumNArgs, NoArgs).
        var received = command.Arguments.Sum(a => parseResult.GetResult(a)?.Tokens.Count ?? 0) + unmatched.Count;
        var min = command.Arguments.Sum(a => a.Arity.MinimumNumberOfValues);
        var max = command.Arguments.Sum(a => a.Arity.MaximumNumberOfValues);
        if (command.Arguments.Count == 0 && unmatched.Count > 0)
        {
            return new UsageError(command, $"unknown command \"{unmatched[0]}\" for \"{help.CommandPath(command)}\"", [], false);
        }

        if (received < min || received > max)
        {
            var message = min == max ? $"accepts {min} arg(s), received {received}"
                : received > max ? $"accepts at most {max} arg(s), received {received}"
                : max == int.MaxValue || max > 1_000 ? $"requires at least {min} arg(s), only received {received}"
                : $"accepts between {min} and {max} arg(s), received {received}";
            return new UsageError(command, message, [], false);
        }

        return parseResult.Errors.Count > 0 ? new UsageError(command, parseResult.Errors[0].Message, [], false) : null;
    }

    private static int IndexOf(IReadOnlyList<string> args, string value)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == value)
            {
                return i;
            }
        }

        return args.Count;
    }

    private static bool LooksLikeOption(string token) => token.Length > 1 && token[0] == '-';

    private static bool TakesValue(Option option) => option.ValueType != typeof(bool) && option.ValueType != typeof(void);

    /// <summary>True when <paramref name="previous"/> is an option that takes the next token as its value.</summary>
    private static bool TakesValue(List<Option> options, string? previous) =>
        previous is not null && options.Any(o => TakesValue(o) && (o.Name == previous || o.Aliases.Contains(previous)));

    /// <summary>
    /// A bundle of short options (<c>-gi</c>) with a letter that names none: System.CommandLine splits bundles
    /// silently, pflag reports the first unknown letter. A letter that takes a value ends the bundle (<c>-o1</c>).
    /// </summary>
    private static bool UnknownInBundle(string token, List<Option> options)
    {
        if (token.Length < 3 || token[0] != '-' || token[1] == '-' || options.Any(o => o.Name == token || o.Aliases.Contains(token)))
        {
            return false;
        }

        foreach (var letter in token[1..])
        {
            var option = options.FirstOrDefault(o => o.Name == $"-{letter}" || o.Aliases.Contains($"-{letter}"));
            if (option is null)
            {
                return true;
            }

            if (TakesValue(option))
            {
                return false;
            }
        }

        return false;
    }

    private static IEnumerable<CommandResult> CommandChain(CommandResult result)
    {
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                yield return command;
            }
        }
    }

    private static IEnumerable<Option> OptionsInScope(Command command)
    {
        foreach (var option in command.Options)
        {
            yield return option;
        }

        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (var option in parent.Options.Where(o => o.Recursive))
            {
                yield return option;
            }
        }
    }

    /// <summary>pflag's wording: <c>unknown flag: --bogus</c>, <c>unknown shorthand flag: 'n' in -n</c>.</summary>
    private static string UnknownFlag(string token, Command command)
    {
        if (token.StartsWith("--", StringComparison.Ordinal))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            return $"unknown flag: {(equals > 0 ? token[..equals] : token)}";
        }

        var known = OptionsInScope(command).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var shorthand = token[1..].FirstOrDefault(c => !known.Contains("-" + c), token[1]);
        return $"unknown shorthand flag: '{shorthand}' in {token}";
    }

    /// <summary>pflag's wording for a missing or malformed option value.</summary>
    private static string OptionError(OptionResult result)
    {
        var option = result.Option;
        var used = result.IdentifierToken?.Value ?? option.Name;
        if (result.Tokens.Count == 0)
        {
            return used.StartsWith("--", StringComparison.Ordinal) ? $"flag needs an argument: {used}" : $"flag needs an argument: '{used.TrimStart('-')}' in {used}";
        }

        var names = string.Join(", ", option.Aliases.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Append(option.Name));
        var value = result.Tokens[0].Value;
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var detail = type == typeof(int) ? $"strconv.ParseInt: parsing \"{value}\": invalid syntax" : "invalid syntax";
        return $"invalid argument \"{value}\" for \"{names}\" flag: {detail}";
    }

    /// <summary>Cobra's suggestions: names within edit distance 2, or that start with what was typed.</summary>
    private static List<string> Suggest(Command command, string typed) =>
        command.Subcommands.Where(c => !c.Hidden)
            .Select(c => c.Name)
            .Where(name => Distance(typed.ToLowerInvariant(), name.ToLowerInvariant()) <= 2 || name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .ToList();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
