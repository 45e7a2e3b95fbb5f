using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// <c>credential-helper install</c> for the native tool: the linux-x64 package carries the small native helper
/// <c>docker-credential-dotnet-remote</c> beside <c>dotnet-remote</c>, and install copies it to
/// <c>DIR/docker-credential-dotnet-remote</c> as a regular executable file, so docker starts it directly (no
/// <c>/bin/sh</c> launcher in between: one process start fewer on every pull). A copy, not a link into the tool's
/// versioned folder (<c>.store/remote.tool/VERSION/…</c>): that folder goes with <c>dotnet tool update</c> and
/// uninstall, the copy stays. The helper answers <c>get</c> itself and execs a <c>dotnet-remote</c> for everything
/// else, found by stable names (<see cref="CredentialHelperProcess.ToolCandidates"/>): when the tool's stable name is
/// not in DIR, install links <c>DIR/docker-credential-dotnet-remote.d/dotnet-remote</c> to it.
/// The portable tool has no such file and keeps the launcher script (<see cref="CredentialHelperInstaller"/>).
/// </summary>
internal static class NativeHelperInstaller
{
    /// <summary>The native helper shipped beside the tool in <paramref name="toolDirectory"/>, or null.</summary>
    public static string? Find(string toolDirectory)
    {
        ArgumentNullException.ThrowIfNull(toolDirectory);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var helper = Path.Combine(toolDirectory, CredentialHelperInstaller.ProgramName);
        var tool = Path.Combine(toolDirectory, CredentialHelperProcess.ToolFileName);
        return File.Exists(helper) && File.Exists(tool) ? Path.GetFullPath(helper) : null;
    }

    /// <summary>
    /// Copies <paramref name="helper"/> to <c>DIR/docker-credential-dotnet-remote</c> (0755, replacing a launcher,
    /// link or older copy there in one rename) and makes sure it finds <paramref name="tool"/>, the stable name of the
    /// installing <c>dotnet-remote</c> (a global tool's shim, a <c>--tool-path</c> link): nothing more when the tool
    /// lies in DIR, else <c>DIR/docker-credential-dotnet-remote.d/dotnet-remote</c> links to it. Returns the copy's path.
    /// </summary>
    public static string Install(string directory, string helper, string tool)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(helper);
        ArgumentNullException.ThrowIfNull(tool);
        AtomicFile.EnsureDirectory(directory, CredentialHelperInstaller.PublicDirectory);
        var path = Path.Combine(Path.GetFullPath(directory), CredentialHelperInstaller.ProgramName);
        if (!SameFile(path, helper))
        {
            AtomicFile.ReplaceWithCopy(helper, path, CredentialHelperInstaller.ExecutableFile);
        }

        BindTool(Path.GetFullPath(directory), Path.GetFullPath(tool));
        return path;
    }

    /// <summary>
    /// For a tool run from the NuGet package cache: copies the tool's files to <c>DIR/docker-credential-dotnet-remote.d/</c>
    /// (as <see cref="CredentialHelperInstaller.InstallCopy"/>) and the helper to <c>DIR/docker-credential-dotnet-remote</c>,
    /// which finds the copied <c>dotnet-remote</c> there first.
    /// </summary>
    public static string InstallCopy(string directory, string toolDirectory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(toolDirectory);
        var copy = CredentialHelperInstaller.CopyTool(directory, toolDirectory);
        var path = Path.Combine(Path.GetFullPath(directory), CredentialHelperInstaller.ProgramName);
        AtomicFile.ReplaceWithCopy(Path.Combine(copy, CredentialHelperInstaller.ProgramName), path, CredentialHelperInstaller.ExecutableFile);
        return path;
    }

    /// <summary>
    /// The helper in DIR looks in <c>DIR/docker-credential-dotnet-remote.d/</c> first, then in DIR: a tool in DIR
    /// needs nothing (a link left by an earlier install is removed, so the last install decides), a tool elsewhere
    /// gets the link.
    /// </summary>
    private static void BindTool(string directory, string tool)
    {
        var link = Path.Combine(directory, CredentialHelperInstaller.CopyFolderName, CredentialHelperProcess.ToolFileName);
        try
        {
            if (string.Equals(Path.GetDirectoryName(tool), Path.TrimEndingDirectorySeparator(directory), StringComparison.Ordinal))
            {
                if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
                {
                    File.Delete(link);
                }

                return;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"could not remove {link}: {ex.Message}", ex);
        }

        AtomicFile.EnsureDirectory(Path.GetDirectoryName(link)!, CredentialHelperInstaller.PublicDirectory);
        AtomicFile.ReplaceWithLink(link, tool);
    }

    // --dir is the tool's own folder: the helper is already there under its name.
    private static bool SameFile(string path, string helper) =>
        string.Equals(Path.GetFullPath(path), Path.GetFullPath(helper), StringComparison.Ordinal);
}
