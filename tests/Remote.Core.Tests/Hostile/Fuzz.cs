using System.Diagnostics;
using System.Text;
using CsCheck;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Tests.Hostile;

/// <summary>
/// The fuzzing harness: inputs come from CsCheck generators driven by one fixed seed (the same cases on every run),
/// mostly mutations of valid samples (inserted delimiters, quotes, duplicate members, invalid UTF-8, cut-offs),
/// some plain random text. A case passes when the code under test returns or throws the engine's own
/// <see cref="RemoteException"/>; anything else is a crash and is reported with its input.
/// </summary>
internal static class Fuzz
{
    /// <summary>Cases per parser: a few thousand, as the issue asks.</summary>
    public const int Cases = 3000;

    /// <summary>A hang guard, not a speed target: one case of a few KB must never take this long.</summary>
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(5);

    private const ulong Seed = 20261130;

    /// <summary>Runs <paramref name="cases"/> inputs of <paramref name="gen"/>; returns how many were refused with a RemoteException.</summary>
    public static FuzzReport Run<T>(Gen<T> gen, Action<T> target, Func<T, string> show, int cases = Cases, uint stream = 1, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        var pcg = new PCG(stream, Seed);
        var refused = 0;
        var slowest = TimeSpan.Zero;
        var crashes = new List<string>();
        for (var i = 0; i < cases; i++)
        {
            var input = gen.Generate(pcg, null, out _);
            var watch = Stopwatch.StartNew();
            try
            {
                target(input);
            }
            catch (RemoteException)
            {
                refused++;
            }
#pragma warning disable CA1031 // Any other exception is exactly what this harness looks for.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                crashes.Add($"case {i}: {ex.GetType().Name}: {ex.Message}\n  input: {show(input)}\n{ex.StackTrace}");
            }

            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
        }

        var report = new FuzzReport(cases, refused, crashes, slowest);
        if (Environment.GetEnvironmentVariable("DOTNET_REMOTE_FUZZ_REPORT") is { Length: > 0 } reportFile)
        {
            // For the closing note: one line per parser (cases, refused with a RemoteException, crashes, slowest case).
            File.AppendAllText(reportFile, $"{name}\t{cases}\t{refused}\t{crashes.Count}\t{slowest.TotalMilliseconds:0.0}\n");
        }

        Assert.True(crashes.Count == 0, $"{crashes.Count} of {cases} inputs crashed:\n{string.Join("\n\n", crashes.Take(5))}");
        Assert.True(slowest < CaseLimit, $"the slowest case took {slowest}");
        return report;
    }

    /// <summary>Text: a valid sample with one to four mutations, or (one case in eight) random characters.</summary>
    public static Gen<string> Text(string[] samples, string[] tokens) =>
        Gen.Frequency(
            (7, Mutated(samples, tokens)),
            (1, Gen.String[Gen.Char, 0, 200]));

    /// <summary>UTF-8 bytes: mutated text, with raw byte damage (0xFF, a cut multi-byte sequence) on top.</summary>
    public static Gen<byte[]> Bytes(string[] samples, string[] tokens) =>
        Gen.Select(Text(samples, tokens), Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.OneOf<byte[]>([0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]), (text, damage, at, bytes) =>
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            if (damage == 0 || utf8.Length == 0)
            {
                return utf8;
            }

            var position = at % utf8.Length;
            return [.. utf8.AsSpan(0, position), .. bytes, .. utf8.AsSpan(position)];
        });

    private static Gen<string> Mutated(string[] samples, string[] tokens) =>
        Gen.Select(
            Gen.OneOf(samples),
            Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[1, 40], Gen.OneOf(tokens)).Array[1, 4],
            (sample, edits) =>
            {
                var text = new StringBuilder(sample);
                foreach (var (kind, at, length, token) in edits)
                {
                    var position = text.Length == 0 ? 0 : at % (text.Length + 1);
                    var span = Math.Min(length, text.Length - position);
                    switch (kind)
                    {
                        case 0:
                        case 1:
                            text.Insert(position, token);
                            break;
                        case 2:
                            text.Remove(position, span);
                            break;
                        case 3:
                            // Duplicate a stretch: repeated keys, members and list items.
                            text.Insert(position, text.ToString(position, span));
                            break;
                        case 4:
                            text.Length = position;
                            break;
                        default:
                            if (span > 0)
                            {
                                text.Remove(position, span).Insert(position, token);
                            }

                            break;
                    }
                }

                return text.ToString();
            });

    /// <summary>A printable form of an input for failure messages.</summary>
    public static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text.Length > 600 ? text[..600] + "…" : text);

    public static string Show(byte[] bytes) => Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 400)));

    public static readonly string[] JsonTokens =
    [
        "{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\\ud800", "\\udc00\\ud800", "\"\"", "null", "true", "1e999", "-",
        "\"auths\":{}", "\"auths\":[]", "\"credsStore\":1", "\"credHelpers\":{\"a\":2}", "\"a\":{},\"a\":{}", "/*", "//", "\u0000",
        "\"auth\":\"!!!\"", "\"auth\":\"Og==\"", "\"identitytoken\":\"t\"", "\"uri\":\"http://[\"", "\"uri\":\"https://h:99999\"",
        "\"uri\":\"file:///etc/passwd\"", "\"uri\":\"\"", "\"uri\":5", "\uFEFF", "\ud800", "   ",
    ];

    public static readonly string[] YamlTokens =
    [
        ":", ": ", "- ", "\n", "\n  ", "  ", "\t", "&a ", "*a", "<<: *a", "[", "]", "{", "}", "'", "\"", "#", "!!str ", "!!binary ",
        "? ", "|", ">", "---\n", "...\n", "%YAML 1.2\n", "\u0000", "\uFFFF", "\ud800", "${env:X}", "${file:/dev/zero}", "${file:",
        "99999", "-1", "0x10", "~", "null", "yes", "URI: ", "Token: ", "Active: ", "Remotes:\n", "Credentials:\n", "Keyservers:\n",
        "uri: ", "order: ", "insecure: maybe", "remotes:\n", "logins:\n", "https://h:99999", "docker://", "http://[",
    ];

    public static readonly string[] UriTokens =
    [
        "://", ":", "/", "//", "..", ".", "@", "?", "#", "[", "]", "[::1]", "%", "%zz", " ", "\t", "\n", "\u0000", "99999", "-1", "0",
        "65536", "docker://", "oras://", "https://", "hkp://", "library://", "\\", "\"", "{", "}", "ä", "\ud800", "xn--", "*",
    ];

    public static readonly string[] HeaderTokens =
    [
        "Bearer ", "Basic ", "realm=", "\"", "\\", "\\\"", ",", " ", "=", "==", "service=", "scope=", "realm=\"", "error=\"",
        "\t", "\u0000", "ä", "https://auth.example.com/token", "a\"b", ",,", "Negotiate", "token68/+=",
    ];
}

/// <summary>What one fuzzing pass saw.</summary>
internal sealed record FuzzReport(int Cases, int Refused, IReadOnlyList<string> Crashes, TimeSpan Slowest);
