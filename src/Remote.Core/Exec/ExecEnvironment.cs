
namespace DotnetRemote.Core.Exec;

/// <summary>
/// The environment of the command an <c>exec</c> runs: the caller's, pointed at the scope, without anything that would
/// hand it a secret or a login of the user's.
/// </summary>
internal static class ExecEnvironment
{
    /// <summary>The scope folder, for scripts that want to know they run inside one.</summary>
    public const string ScopeVariable = "DOTNET_REMOTE_EXEC_DIR";

    /// <summary>
    /// Variables that carry credentials or point elsewhere for them, honoured by Apptainer, docker, the containers tools
    /// or the .NET SDK's container publishing: the child never inherits them (the scope's files replace them).
    /// </summary>
    public static readonly IReadOnlyList<string> RemovedVariables =
    [
        "SINGULARITY_CONFIGDIR",
        "APPTAINER_AUTH_FILE",
        "SINGULARITY_AUTH_FILE",
        "APPTAINER_DOCKER_USERNAME",
        "APPTAINER_DOCKER_PASSWORD",
        "SINGULARITY_DOCKER_USERNAME",
        "SINGULARITY_DOCKER_PASSWORD",
        "DOCKER_USERNAME",
        "DOCKER_PASSWORD",
        "DOCKER_AUTH_CONFIG",
        "DOTNET_CONTAINER_REGISTRY_UNAME",
        "DOTNET_CONTAINER_REGISTRY_PWORD",
        "SDK_CONTAINER_REGISTRY_UNAME",
        "SDK_CONTAINER_REGISTRY_PWORD",
    ];

    /// <summary>A secret this long or longer is looked for inside values; a shorter one only as a whole value.</summary>
    public const int MinimumSearchedSecretLength = 6;

    /// <summary>
    /// The child's environment: <paramref name="parent"/> without <see cref="RemovedVariables"/> and without any variable
    /// whose value holds one of <paramref name="secrets"/> (the pipeline's <c>REGISTRY_PASSWORD</c> and the like), plus
    /// <c>APPTAINER_CONFIGDIR</c>, <c>DOCKER_CONFIG</c>, <c>REGISTRY_AUTH_FILE</c> and <see cref="ScopeVariable"/>.
    /// </summary>
    public static Dictionary<string, string> For(ExecScope scope, IReadOnlyDictionary<string, string> parent, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return For(scope.Directory, scope.DockerConfigDirectory, scope.DockerConfigFile, parent, secrets);
    }

    public static Dictionary<string, string> For(string configDirectory, string dockerConfigDirectory, string authFile, IReadOnlyDictionary<string, string> parent, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(secrets);
        var secretList = secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parent)
        {
            if (RemovedVariables.Contains(name, StringComparer.Ordinal) || secretList.Any(secret => Holds(value, secret)))
            {
                continue;
            }

            environment[name] = value;
        }

        environment["APPTAINER_CONFIGDIR"] = configDirectory;
        environment["DOCKER_CONFIG"] = dockerConfigDirectory;
        environment["REGISTRY_AUTH_FILE"] = authFile;
        environment[ScopeVariable] = configDirectory;
        return environment;
    }

    private static bool Holds(string value, string secret) =>
        value == secret || (secret.Length >= MinimumSearchedSecretLength && value.Contains(secret, StringComparison.Ordinal));
}
