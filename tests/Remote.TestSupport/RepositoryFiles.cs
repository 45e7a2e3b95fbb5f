namespace DotnetRemote.Testing;

/// <summary>Finds files of the clone the tests were built from (the test binaries live under its bin/ folders).</summary>
public static class RepositoryFiles
{
    private static string? _root;

    /// <summary>The clone: the first folder above the test binaries that holds <c>Remote.slnx</c>.</summary>
    public static string Root => _root ??= FindRoot();

    /// <summary>The path of <paramref name="relative"/> (a file or a folder) in the clone.</summary>
    public static string Find(string relative)
    {
        var candidate = Path.Combine(Root, relative);
        return File.Exists(candidate) || Directory.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException($"{relative} not found in {Root}");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Remote.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Remote.slnx above {AppContext.BaseDirectory}");
    }
}
