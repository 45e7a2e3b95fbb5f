using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// Writes <c>docker-credential-dotnet-remote</c>, a two-line launcher, so <c>"credHelpers": {"host": "dotnet-remote"}</c>
/// makes docker, skopeo, podman and the SDK's container publishing read and write our store.
/// </summary>
internal static class CredentialHelperInstaller
{
    /// <summary>The helper's name as docker-config files give it (<c>"credsStore": "dotnet-remote"</c>).</summary>
    public const string HelperName = "dotnet-remote";

    public const string ProgramName = "docker-credential-" + HelperName;

    /// <summary>The folder beside the launcher that holds a copy of a local tool (see <see cref="InstallCopy"/>).</summary>
    public const string CopyFolderName = ProgramName + ".d";

    /// <param name="directory">Where to put it; a folder on PATH for docker to find it.</param>
    /// <param name="command">How to start dotnet-remote: the executable, and for framework-dependent runs the dll.</param>
    /// <returns>The path of the written launcher.</returns>
    public static string Install(string directory, IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        AtomicFile.EnsureDirectory(directory, PublicDirectory);
        var path = Path.Combine(directory, ProgramName);
        var launcher = "#!/bin/sh\n# Installed by dotnet remote: answers the docker-credential-helpers protocol from its store.\nexec "
            + string.Join(' ', command.Select(ShellQuote)) + " credential-helper \"$@\"\n";
        // The name itself is replaced: a link left there (the native tool's install) is not written through.
        AtomicFile.ReplaceWithText(path, launcher, ExecutableFile);
        return path;
    }

    /// <summary>
    /// For a tool that runs from the NuGet package cache (a local tool of a tool manifest): copies the tool's files
    /// (<paramref name="toolDirectory"/>) to <c>DIR/docker-credential-dotnet-remote.d/</c> and points the launcher at
    /// the copy, so clearing the cache (<c>dotnet nuget locals all --clear</c>) does not break docker's logins.
    /// </summary>
    /// <param name="command">How this run was started; paths inside <paramref name="toolDirectory"/> are moved to the copy.</param>
    public static string InstallCopy(string directory, string toolDirectory, IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(toolDirectory));
        var copy = CopyTool(directory, toolDirectory);
        var relocated = command.Select(part => IsInside(part, source) ? Path.Combine(copy, Path.GetRelativePath(source, Path.GetFullPath(part))) : part).ToList();
        return Install(directory, relocated);
    }

    /// <summary>
    /// Whether <paramref name="toolDirectory"/> lies in the NuGet package cache (<c>NUGET_PACKAGES</c>, else
    /// <c>~/.nuget/packages</c>), where <c>dotnet tool run</c> starts local tools from.
    /// </summary>
    public static bool IsInPackageCache(string toolDirectory, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var cache = environment("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return IsInside(toolDirectory, Path.TrimEndingDirectorySeparator(Path.GetFullPath(cache)));
    }

    /// <summary>Whether <paramref name="directory"/> is one of the PATH folders docker searches.</summary>
    public static bool IsOnPath(string directory, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(entry => Path.IsPathFullyQualified(entry) && Path.TrimEndingDirectorySeparator(Path.GetFullPath(entry)) == target);
    }

    /// <summary>0755: what docker, podman and skopeo run.</summary>
    internal const UnixFileMode ExecutableFile = AtomicFile.PublicFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    internal const UnixFileMode PublicDirectory = AtomicFile.PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static bool IsInside(string path, string folder)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        return full == folder || full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Copies the tool's files (<paramref name="toolDirectory"/>) to <c>DIR/docker-credential-dotnet-remote.d/</c>; returns that folder.</summary>
    internal static string CopyTool(string directory, string toolDirectory)
    {
        var copy = Path.Combine(Path.GetFullPath(directory), CopyFolderName);
        AtomicFile.EnsureDirectory(directory, PublicDirectory);
        CopyTree(Path.TrimEndingDirectorySeparator(Path.GetFullPath(toolDirectory)), copy);
        return copy;
    }

    private static void CopyTree(string source, string destination)
    {
        try
        {
            AtomicFile.EnsureDirectory(destination, PublicDirectory);
            foreach (var file in Directory.EnumerateFiles(source))
            {
                var target = Path.Combine(destination, Path.GetFileName(file));

                // Readable by all; executable where the original was (the native dotnet-remote). Each file replaced in
                // one rename: a running copy is not written into, a link there is not followed.
                var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0 && !file.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
                AtomicFile.ReplaceWithCopy(file, target, executable ? ExecutableFile : AtomicFile.PublicFile);
            }

            foreach (var folder in Directory.EnumerateDirectories(source))
            {
                CopyTree(folder, Path.Combine(destination, Path.GetFileName(folder)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"could not copy the tool to {destination}: {ex.Message}", ex);
        }
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
