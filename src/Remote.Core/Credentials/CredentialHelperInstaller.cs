using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// Writes <c>docker-credential-dotnet-remote</c>, a two-line launcher, so <c>"credHelpers": {"host": "dotnet-remote"}</c>
/// makes docker, skopeo, podman and the SDK's container publishing read and write our store.
/// </summary>
public static class CredentialHelperInstaller
{
    /// <summary>The helper's name as docker-config files give it (<c>"credsStore": "dotnet-remote"</c>).</summary>
    public const string HelperName = "dotnet-remote";

    public const string ProgramName = "docker-credential-" + HelperName;

    /// <param name="directory">Where to put it; a folder on PATH for docker to find it.</param>
    /// <param name="command">How to start dotnet-remote: the executable, and for framework-dependent runs the dll.</param>
    /// <returns>The path of the written launcher.</returns>
    public static string Install(string directory, IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        AtomicFile.EnsureDirectory(directory, AtomicFile.PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var path = Path.Combine(directory, ProgramName);
        var launcher = "#!/bin/sh\n# Installed by dotnet remote: answers the docker-credential-helpers protocol from its store.\nexec "
            + string.Join(' ', command.Select(ShellQuote)) + " credential-helper \"$@\"\n";
        AtomicFile.WriteAllText(path, launcher, AtomicFile.PublicFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
