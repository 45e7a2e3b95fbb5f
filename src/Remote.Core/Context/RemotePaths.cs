
namespace DotnetRemote.Core.Context;

/// <summary>
/// Every file location the engine uses, computed once from the environment (docs/compatibility.md#file-locations). Nothing else in the engine reads environment variables for paths.
/// </summary>
internal sealed record RemotePaths
{
    public const string DefaultSystemConfigFile = "/etc/apptainer/remote.yaml";

    public required string UserConfigDirectory { get; init; }

    /// <summary>The remote.yaml a command reads and writes: <c>-c/--config</c>, else the user file.</summary>
    public required string UserConfigFile { get; init; }

    public required string SystemConfigFile { get; init; }

    /// <summary>Where OCI secrets are written: <c>--authfile</c>, else <c>&lt;config dir&gt;/docker-config.json</c>.</summary>
    public required string DockerConfigFile { get; init; }

    /// <summary>Docker's own file, read when the primary one has no entry. Null when an auth file was given.</summary>
    public string? DockerFallbackFile { get; init; }

    public string DiscoveryCacheDirectory => Path.Combine(UserConfigDirectory, "remote-cache");

    /// <summary>True when <see cref="UserConfigFile"/> is the default one, not a <c>--config</c> override.</summary>
    public bool UsesDefaultUserConfig { get; init; } = true;

    /// <summary>Builds the paths from environment variables (<paramref name="environment"/> returns null when unset).</summary>
    public static RemotePaths FromEnvironment(Func<string, string?> environment, string? configFileOverride = null, string? authFileOverride = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

        var home = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var configDir = Get("APPTAINER_CONFIGDIR") ?? Get("SINGULARITY_CONFIGDIR") ?? Path.Combine(home, ".apptainer");
        var dockerDir = Get("DOCKER_CONFIG") ?? Path.Combine(home, ".docker");
        var authFile = authFileOverride ?? Get("APPTAINER_AUTH_FILE");

        return new RemotePaths
        {
            UserConfigDirectory = configDir,
            UserConfigFile = configFileOverride is null ? Path.Combine(configDir, "remote.yaml") : Path.GetFullPath(configFileOverride),
            UsesDefaultUserConfig = configFileOverride is null,
            SystemConfigFile = Get("DOTNET_REMOTE_SYSTEM_CONFIG") ?? DefaultSystemConfigFile,
            DockerConfigFile = authFile is null ? Path.Combine(configDir, "docker-config.json") : Path.GetFullPath(authFile),
            DockerFallbackFile = authFile is null ? Path.Combine(dockerDir, "config.json") : null,
        };
    }

    /// <summary>The paths of the current process environment.</summary>
    public static RemotePaths FromProcessEnvironment(string? configFileOverride = null, string? authFileOverride = null) =>
        FromEnvironment(Environment.GetEnvironmentVariable, configFileOverride, authFileOverride);
}
