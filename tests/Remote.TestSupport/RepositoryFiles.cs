namespace DotnetRemote.Testing;

/// <summary>Finds files of the clone the tests were built from (the test binaries live under its bin/ folders).</summary>
internal static class RepositoryFiles
{
    /// <summary>The path of <paramref name="relative"/> in the first folder above the test binaries that holds it.</summary>
    public static string Find(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
