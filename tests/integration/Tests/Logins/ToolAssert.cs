namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>The checks every login test repeats: exit codes, single FATAL lines, secrets that must never be printed.</summary>
internal static class ToolAssert
{
    public static void Succeeded(ToolResult result)
    {
        Assert.True(result.ExitCode == 0, $"expected exit 0, got {result}");
        NoCrash(result);
    }

    /// <summary>Exit 255 with exactly one FATAL line, which contains every one of <paramref name="expected"/>.</summary>
    public static string FailedWithOneFatal(ToolResult result, params string[] expected)
    {
        Assert.True(result.ExitCode == 255, $"expected exit 255, got {result}");
        NoCrash(result);
        var fatal = Assert.Single(result.FatalLines);
        foreach (var text in expected)
        {
            Assert.True(fatal.Contains(text, StringComparison.Ordinal), $"FATAL line lacks \"{text}\": {fatal}");
        }
        return fatal;
    }

    /// <summary>Unix permission bits of a file or folder (skipped on Windows, which has none).</summary>
    public static void HasMode(string path, UnixFileMode expected)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{path} does not exist");
            Assert.Equal(expected, File.GetUnixFileMode(path));
        }
    }

    /// <summary>The secret appears neither on stdout nor on stderr.</summary>
    public static void NeverPrinted(ToolResult result, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.False(result.StdOut.Contains(secret, StringComparison.Ordinal), $"secret printed on stdout: {result}");
            Assert.False(result.StdErr.Contains(secret, StringComparison.Ordinal), $"secret printed on stderr: {result}");
        }
    }

    private static void NoCrash(ToolResult result) =>
        Assert.False(result.StdErr.Contains("Unhandled exception", StringComparison.Ordinal) || result.StdErr.Contains("   at ", StringComparison.Ordinal), $"the tool crashed: {result}");
}
