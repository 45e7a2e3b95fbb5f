using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// <c>credential-helper install</c> for the native tool: the linux-x64 package carries the small native helper
/// <c>docker-credential-dotnet-remote</c> beside <c>dotnet-remote</c>, and the installed name is a symbolic link to it,
/// so docker starts it directly (no <c>/bin/sh</c> launcher in between: one process start fewer on every pull).
/// The helper answers <c>get</c> itself and execs the <c>dotnet-remote</c> beside it for everything else.
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
    /// Makes <c>DIR/docker-credential-dotnet-remote</c> a symbolic link to <paramref name="helper"/>, replacing a
    /// launcher or link already there in one rename. Returns the link's path.
    /// </summary>
    public static string Install(string directory, string helper)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(helper);
        AtomicFile.EnsureDirectory(directory, CredentialHelperInstaller.PublicDirectory);
        var path = Path.Combine(directory, CredentialHelperInstaller.ProgramName);
        if (string.Equals(Path.GetFullPath(path), Path.GetFullPath(helper), StringComparison.Ordinal))
        {
            // --dir is the tool's own folder: the helper is already there under its name.
            return path;
        }

        var temporary = Path.Combine(directory, $".{CredentialHelperInstaller.ProgramName}.{Environment.ProcessId}.tmp");
        try
        {
            File.Delete(temporary);
            File.CreateSymbolicLink(temporary, Path.GetFullPath(helper));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new RemoteException(RemoteErrorCodes.ConfigIo, $"could not write {path}: {ex.Message}", ex);
        }

        return path;
    }

    /// <summary>
    /// For a tool run from the NuGet package cache: copies the tool's files to <c>DIR/docker-credential-dotnet-remote.d/</c>
    /// (as <see cref="CredentialHelperInstaller.InstallCopy"/>) and links to the copy's helper.
    /// </summary>
    public static string InstallCopy(string directory, string toolDirectory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(toolDirectory);
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(toolDirectory));
        var copy = Path.Combine(Path.GetFullPath(directory), CredentialHelperInstaller.CopyFolderName);
        AtomicFile.EnsureDirectory(directory, CredentialHelperInstaller.PublicDirectory);
        CredentialHelperInstaller.CopyTree(source, copy);
        return Install(directory, Path.Combine(copy, CredentialHelperInstaller.ProgramName));
    }
}
