// A Cake build that declares its remotes and registry logins in remotes.yaml and takes the secrets from the
// environment (COMPANY_TOKEN, REGISTRY_USER, REGISTRY_PASSWORD). From the repository root:
//   dotnet tool restore && dotnet cake samples/cake/build.cake [--manifest=FILE] [--packages=DIR]
// It installs the dotnet-remote tool from the packed packages (default: the repository's ./artifacts), applies the
// manifest, lists the result, and logs out of everything at the end of the run (--keep-logins to skip that).
// --target=Exec --command=CMD runs CMD (through /bin/sh) inside `dotnet-remote exec`: with exactly the manifest's logins,
// in a private configuration that is removed when CMD ends, so there is nothing to log out of.

var target = Argument("target", "Default");
var manifest = MakeAbsolute(File(Argument("manifest", "remotes.yaml")));
var packages = MakeAbsolute(Directory(Argument("packages", "../../artifacts")));
var keepLogins = HasArgument("keep-logins");
var execCommand = Argument("command", "");
var toolDirectory = MakeAbsolute(Directory(".tools"));
var remoteTool = toolDirectory.CombineWithFilePath("dotnet-remote");

// Runs dotnet-remote; its secrets come from the inherited environment, never from this command line.
void Remote(params string[] arguments)
{
    var builder = new ProcessArgumentBuilder();
    foreach (var argument in arguments)
    {
        builder.AppendQuoted(argument);
    }

    var exit = StartProcess(remoteTool, new ProcessSettings { Arguments = builder });
    if (exit != 0)
    {
        throw new Exception($"dotnet-remote {arguments[0]} failed with exit code {exit}");
    }
}

Task("InstallRemoteTool").Does(() =>
{
    if (FileExists(remoteTool))
    {
        return;
    }

    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("tool").Append("install").Append("--tool-path").AppendQuoted(toolDirectory.FullPath)
            .Append("--add-source").AppendQuoted(packages.FullPath).Append("Remote.Tool"),
    });
    if (exit != 0)
    {
        throw new Exception($"dotnet tool install Remote.Tool failed with exit code {exit}");
    }
});

Task("ApplyRemotes").IsDependentOn("InstallRemoteTool").Does(() =>
{
    Remote("apply", "-f", manifest.FullPath);
});

Task("Default").IsDependentOn("ApplyRemotes").Does(() =>
{
    Remote("list");
});

// The step that needs the logins runs inside their scope; nothing is written to the user's configuration.
Task("Exec").IsDependentOn("InstallRemoteTool").Does(() =>
{
    if (string.IsNullOrEmpty(execCommand))
    {
        throw new Exception("--command=... names what to run inside the scope");
    }

    Remote("exec", "-f", manifest.FullPath, "--", "/bin/sh", "-c", execCommand);
});

Teardown(context =>
{
    if (!keepLogins && target != "Exec" && FileExists(remoteTool))
    {
        Remote("logout", "--all");
    }
});

RunTarget(target);
