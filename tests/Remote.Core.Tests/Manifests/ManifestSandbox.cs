using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

/// <summary>
/// A throw-away machine for manifests: a config dir (<see cref="TestMachine"/>), a pipeline folder for the manifest
/// and its secret files, the pipeline's secret variables, and an in-memory web with one library endpoint
/// (<see cref="LibraryHost"/>, token <see cref="ValidToken"/>) and one Basic-auth registry (<see cref="RegistryHost"/>).
/// </summary>
internal sealed class ManifestSandbox : IDisposable
{
    public const string LibraryHost = "library.example.com";
    public const string RegistryHost = "registry.example.com";
    public const string ValidToken = "valid-library-token-0123456789";
    public const string RegistryUser = "alice";
    public const string RegistryPassword = "alice-registry-password";

    /// <summary>Where <see cref="CompanyManifest"/> declares its entries: a remote at the line its fields begin.</summary>
    public const int CompanyLine = 3;

    public const int RegistryLoginLine = 7;

    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal)
    {
        ["COMPANY_TOKEN"] = ValidToken,
        ["REGISTRY_USER"] = RegistryUser,
        ["REGISTRY_PASSWORD"] = RegistryPassword,
    };

    public ManifestSandbox()
    {
        PipelineDirectory = Path.Combine(Machine.Root, "pipeline");
        Directory.CreateDirectory(PipelineDirectory);
        Web = FakeHttpHandler.LibraryAndRegistry(LibraryHost, ValidToken, RegistryHost, RegistryUser, RegistryPassword);
    }

    /// <summary>The manifest the pipelines declare: a remote with a token, made active, and a registry login.</summary>
    public static string CompanyManifest => $$"""
        remotes:
          company:
            uri: https://{{LibraryHost}}
            token: ${env:COMPANY_TOKEN}
            use: true
        logins:
          - uri: docker://{{RegistryHost}}
            username: ${env:REGISTRY_USER}
            password: ${env:REGISTRY_PASSWORD}

        """;

    public TestMachine Machine { get; } = new();

    public string PipelineDirectory { get; }

    public FakeHttpHandler Web { get; }

    public RecordingLog Log { get; } = new();

    public string DockerConfigFile => Path.Combine(Machine.ConfigDir, "docker-config.json");

    /// <summary>The pipeline's secret variables (only what <see cref="SetVariable"/> defined).</summary>
    public string? Variable(string name) => _variables.TryGetValue(name, out var value) ? value : null;

    public void SetVariable(string name, string value) => _variables[name] = value;

    public void RemoveVariable(string name) => _variables.Remove(name);

    /// <summary>Writes a file of the pipeline folder and returns its full path.</summary>
    public string WriteFile(string relativePath, string text)
    {
        var path = Path.Combine(PipelineDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string ManifestPath => Path.Combine(PipelineDirectory, "remotes.yaml");

    public Manifest Read(string yaml) => ManifestReader.Load(WriteFile("remotes.yaml", yaml), Variable);

    public RemoteContext Context() => Machine.Context(http: Web, log: Log);

    public Task<ApplyManifestResult> ApplyAsync(string yaml, Func<Manifest, ApplyManifestOptions>? options = null) =>
        new ApplyManifest(Context()).ExecuteAsync((options ?? (manifest => new ApplyManifestOptions(manifest)))(Read(yaml)));

    public RemoteConfig UserConfig() => new RemoteConfigStore(Context()).LoadUser();

    /// <summary>The bytes of remote.yaml and docker-config.json (null for a missing file), to prove nothing was written.</summary>
    public StoredState Snapshot() => new(ReadBytes(Machine.UserFile), ReadBytes(DockerConfigFile));

    public void Dispose() => Machine.Dispose();

    private static byte[]? ReadBytes(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;
}

/// <summary>The stored files' bytes; equal when both files are byte-identical (or both missing).</summary>
internal sealed record StoredState(byte[]? RemoteYaml, byte[]? DockerConfig)
{
    public bool Equals(StoredState? other) =>
        other is not null && Same(RemoteYaml, other.RemoteYaml) && Same(DockerConfig, other.DockerConfig);

    public override int GetHashCode() => HashCode.Combine(RemoteYaml?.Length, DockerConfig?.Length);

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
