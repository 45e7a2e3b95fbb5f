using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Credentials;

/// <param name="Directory">Where to write the launcher (<c>--dir</c>); null: beside the program (the last part of <paramref name="Command"/>).</param>
/// <param name="ToolDirectory">The folder the running tool's files are in.</param>
/// <param name="Command">How this very program is started: its executable, and for framework-dependent runs the dll.</param>
/// <param name="NativeTool">The native tool runs; when its package ships the native helper, the helper is copied instead of a launcher written (<see cref="NativeHelperInstaller"/>).</param>
internal sealed record InstallCredentialHelperOptions(string? Directory, string ToolDirectory, IReadOnlyList<string> Command, bool NativeTool = false);

/// <param name="Path">The launcher written.</param>
/// <param name="CopiedTool">The tool ran from the NuGet package cache and was copied beside the launcher.</param>
/// <param name="OnPath">The launcher's folder is on PATH, where docker, podman and skopeo look for helpers.</param>
internal sealed record InstallCredentialHelperResult(string Path, bool CopiedTool, bool OnPath);

/// <summary>
/// <c>credential-helper install</c>: writes <c>docker-credential-dotnet-remote</c> (<see cref="CredentialHelperInstaller"/>).
/// A tool that runs from the NuGet package cache (a local tool) is copied next to the launcher first, and then needs
/// a <see cref="InstallCredentialHelperOptions.Directory"/>, since a cache clean would break docker's logins.
/// </summary>
internal sealed class InstallCredentialHelper(RemoteContext context)
{
    public Task<InstallCredentialHelperResult> ExecuteAsync(InstallCredentialHelperOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var launcher = options.Command;
        var given = options.Directory;
        string path;
        var copied = CredentialHelperInstaller.IsInPackageCache(options.ToolDirectory, context.Environment);
        var nativeHelper = options.NativeTool ? NativeHelperInstaller.Find(options.ToolDirectory) : null;
        if (copied)
        {
            // A local tool (tool manifest) runs from the NuGet cache, which `dotnet nuget locals all --clear` empties.
            if (given is null)
            {
                throw new RemoteException(RemoteErrorCodes.InvalidArgument,
                    $"dotnet-remote runs from the NuGet package cache ({options.ToolDirectory}), which a cache clean empties; pass --dir DIR (a folder on PATH): the launcher and a copy of the tool go there");
            }

            path = nativeHelper is not null
                ? NativeHelperInstaller.InstallCopy(Path.GetFullPath(given), options.ToolDirectory)
                : CredentialHelperInstaller.InstallCopy(Path.GetFullPath(given), options.ToolDirectory, launcher);
        }
        else
        {
            // The native tool links to the native helper beside it; the portable one writes a launcher script.
            var folder = Path.GetFullPath(given ?? Path.GetDirectoryName(launcher[^1])!);
            path = nativeHelper is { } helper ? NativeHelperInstaller.Install(folder, helper, launcher[0]) : CredentialHelperInstaller.Install(folder, launcher);
            if (nativeHelper is not null && IsVersionedFolder(options.ToolDirectory) && IsInside(launcher[0], options.ToolDirectory))
            {
                context.Log.Warning($"dotnet-remote ran from its versioned folder {Path.TrimEndingDirectorySeparator(options.ToolDirectory)}, not through a stable name (the global tool's shim, the --tool-path link), so store, erase and list through {CredentialHelperInstaller.ProgramName} will need this command again after a tool update: run it as the dotnet-remote on PATH or in the --tool-path folder");
            }
        }

        // The native helper is a copy (of this version): it keeps working after a tool update, and this command refreshes it.
        context.Log.Info(nativeHelper is not null
            ? $"Credential helper copied to {path} (run this command again after \"dotnet tool update\" to refresh the copy); use it with \"credHelpers\": {{\"<registry>\": \"dotnet-remote\"}}"
            : $"Credential helper written to {path}; use it with \"credHelpers\": {{\"<registry>\": \"dotnet-remote\"}}");
        var onPath = CredentialHelperInstaller.IsOnPath(Path.GetDirectoryName(path)!, context.Environment);
        if (!onPath)
        {
            context.Log.Warning($"{Path.GetDirectoryName(path)} is not on PATH, so docker, podman and skopeo will not find {CredentialHelperInstaller.ProgramName}: add it to PATH or pass --dir with a folder on PATH");
        }

        return Task.FromResult(new InstallCredentialHelperResult(path, copied, onPath));
    }

    // The .NET SDK installs tool packages under TOOLS/.store/ID/VERSION/: gone after an update.
    private static bool IsVersionedFolder(string directory) =>
        Path.GetFullPath(directory).Split(Path.DirectorySeparatorChar).Contains(".store", StringComparer.Ordinal);

    private static bool IsInside(string path, string directory)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(folder, StringComparison.Ordinal);
    }
}
