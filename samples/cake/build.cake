// A Cake build that declares its remotes and registry logins in remotes.yaml and takes the secrets from the
// environment (COMPANY_TOKEN, REGISTRY_USER, REGISTRY_PASSWORD). From the repository root:
//   dotnet tool restore && dotnet cake samples/cake/build.cake [--manifest=FILE] [--packages=DIR]
// It installs the dotnet-remote tool from the packed packages (default: the repository's ./artifacts), applies the
// manifest, lists the result, and logs out of everything at the end of the run (--keep-logins to skip that).

var target = Argument("target", "Default");
var manifest = MakeAbsolute(File(Argument("manifest", "remotes.yaml")));
var packages = MakeAbsolute(Directory(Argument("packages", "../../artifacts")));
var keepLogins = HasArgument("keep-logins");
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

Teardown(context =>
{
    if (!keepLogins && FileExists(remoteTool))
    {
        Remote("logout", "--all");
    }
});

RunTarget(target);
