using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Exec;
using DotnetRemote.Core.Manifests;
using Microsoft.Build.Framework;
using Task = System.Threading.Tasks.Task;

namespace DotnetRemote.MSBuild;

/// <summary>
/// Runs <see cref="Command"/> inside a private configuration holding exactly the logins of <see cref="Manifest"/>, as
/// <c>dotnet remote exec</c> does: the manifests are verified and applied there, the command sees them through
/// <c>APPTAINER_CONFIGDIR</c>, <c>DOCKER_CONFIG</c> and <c>REGISTRY_AUTH_FILE</c>, and the folder is removed afterwards,
/// also when the build is cancelled. The command runs through the shell (<c>/bin/sh -c</c>, <c>cmd /c</c> on Windows),
/// as MSBuild's <c>Exec</c> does; its output lines become build messages with every manifest secret replaced by ***.
/// </summary>
public sealed class RemoteExec : RemoteTask
{
    /// <summary>One or more manifest files (none: an empty configuration, which still hides the user's logins).</summary>
    public ITaskItem[] Manifest { get; set; } = [];

    [Required]
    public string Command { get; set; } = "";

    /// <summary>Where the command starts; the project's folder when empty.</summary>
    public string? WorkingDirectory { get; set; }

    public bool NoVerify { get; set; }

    /// <summary>Start from a copy of the user's remotes and logins instead of an empty configuration.</summary>
    public bool KeepUserState { get; set; }

    /// <summary>A non-zero exit code is then not an error (read it from <see cref="ExitCode"/>).</summary>
    public bool IgnoreExitCode { get; set; }

    [Output]
    public int ExitCode { get; private set; } = -1;

    private protected override async Task ExecuteAsync(RemoteContext context)
    {
        var builder = new ManifestBuilder(context.Environment, ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode ?? "project");
        foreach (var item in Manifest)
        {
            builder.Include(ManifestReader.Load(item.GetMetadata("FullPath") is { Length: > 0 } full ? full : item.ItemSpec, context.Environment));
        }

        var manifest = builder.Build();

        // Straight to the console, never to the build log: a mask line holds the secret it masks.
        foreach (var mask in CiSecretMasking.Commands(manifest.Secrets, context.Environment))
        {
            Console.Out.WriteLine(mask);
        }

        var secrets = manifest.Secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
        string Masked(string line) => secrets.Aggregate(line, (text, secret) => text.Replace(secret, "***", StringComparison.Ordinal));
        // Both streams arrive on their own threads: one line at a time into the log.
        var logGate = new Lock();
        void LogLine(string line)
        {
            lock (logGate)
            {
                Log.LogMessage(MessageImportance.High, Masked(line));
            }
        }

        var output = new ExecOutput(LogLine, LogLine);
        var workingDirectory = !string.IsNullOrEmpty(WorkingDirectory) ? Path.GetFullPath(WorkingDirectory)
            : ProjectFile is { Length: > 0 } project ? Path.GetDirectoryName(Path.GetFullPath(project)) : null;
        var command = OperatingSystem.IsWindows()
            ? new ChildCommand("cmd.exe", ["/c", Command], workingDirectory)
            : new ChildCommand("/bin/sh", ["-c", Command], workingDirectory);

        try
        {
            ExitCode = (await new ExecInScope(context).ExecuteAsync(new ExecInScopeOptions(manifest, command, ProcessEnvironment(), output, KeepUserState, NoVerify), CancellationToken)).ExitCode;
        }
        catch (OperationCanceledException)
        {
            Warn(RemoteErrorCodes.Canceled, "dotnet remote: the command was cancelled; its private configuration is removed");
            return;
        }

        if (CancellationToken.IsCancellationRequested)
        {
            Warn(RemoteErrorCodes.Canceled, $"dotnet remote: the command was cancelled (exit code {ExitCode}); its private configuration is removed");
            return;
        }

        if (ExitCode != 0 && !IgnoreExitCode)
        {
            throw new RemoteException(RemoteErrorCodes.ExecExitCode, $"RemoteExec: the command exited with code {ExitCode}");
        }
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? "";
        }

        return environment;
    }
}
