using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>
/// The tasks read the process environment (as inside MSBuild), so this sets a throw-away machine there:
/// <c>APPTAINER_CONFIGDIR</c>, <c>DOTNET_REMOTE_SYSTEM_CONFIG</c>, <c>DOCKER_CONFIG</c>, <c>HOME</c> in a temp folder,
/// with the pipeline's secret variables; dispose restores every variable it touched and deletes the folder.
/// Tests using it belong to <see cref="ProcessEnvironmentTests"/>, which never runs in parallel.
/// </summary>
internal sealed class TaskSandbox : IDisposable
{
    public const string Token = "msbuild-task-token-0123456789";
    public const string RegistryUser = "alice";
    public const string RegistryPassword = "msbuild-registry-password";

    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    public TaskSandbox()
    {
        Root = Directory.CreateTempSubdirectory("dotnet-remote-msbuild-tests-").FullName;
        ConfigDirectory = Path.Combine(Root, "config");
        SetVariable("APPTAINER_CONFIGDIR", ConfigDirectory);
        SetVariable("SINGULARITY_CONFIGDIR", null);
        SetVariable("APPTAINER_AUTH_FILE", null);
        SetVariable("DOTNET_REMOTE_SYSTEM_CONFIG", Path.Combine(Root, "system", "remote.yaml"));
        SetVariable("DOCKER_CONFIG", Path.Combine(Root, "docker"));
        SetVariable("HOME", Path.Combine(Root, "home"));
        SetVariable("GITHUB_ACTIONS", null);
        SetVariable("TF_BUILD", null);
        SetVariable("CI", null);
        SetVariable("GITLAB_CI", null);
        SetVariable("COMPANY_TOKEN", Token);
        SetVariable("REGISTRY_USER", RegistryUser);
        SetVariable("REGISTRY_PASSWORD", RegistryPassword);
    }

    public string Root { get; }

    public string ConfigDirectory { get; }

    public string RemoteYaml => Path.Combine(ConfigDirectory, "remote.yaml");

    public string DockerConfig => Path.Combine(ConfigDirectory, "docker-config.json");

    public FakeBuildEngine Engine { get; } = new();

    /// <summary>Sets (or, with null, removes) a process variable until dispose.</summary>
    public void SetVariable(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>A task wired to <see cref="Engine"/>, with the project file the targets would pass.</summary>
    public T Task<T>(T task)
        where T : RemoteTask
    {
        task.BuildEngine = Engine;
        task.ProjectFile = "/pipeline/SampleApp.csproj";
        return task;
    }

    public static ITaskItem Item(string itemSpec, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(itemSpec);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }

        return item;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Tests that change the process environment: one at a time, never beside another test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentTests
{
    public const string Name = "Process environment";
}
