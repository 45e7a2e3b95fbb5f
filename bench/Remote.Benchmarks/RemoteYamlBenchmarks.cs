using BenchmarkDotNet.Attributes;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Context;

namespace DotnetRemote.Benchmarks;

/// <summary>
/// Loading and saving remote.yaml with 10, 1,000 and 10,000 remotes: the parser and writer on their own, and a
/// whole <see cref="RemoteConfigStore"/> update (lock, read, parse, change, write a temp file, fsync, rename).
/// </summary>
[MemoryDiagnoser]
public class RemoteYamlBenchmarks
{
    private RemoteConfig _config = new();
    private string _text = "";
    private string _directory = "";
    private RemoteConfigStore _store = null!;
    private int _updates;

    [Params(10, 1_000, 10_000)]
    public int Remotes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _config = BuildConfig(Remotes);
        _text = RemoteConfigYaml.Write(_config);
        _directory = Directory.CreateTempSubdirectory("dotnet-remote-bench-").FullName;
        var variables = new Dictionary<string, string>
        {
            ["HOME"] = _directory,
            ["APPTAINER_CONFIGDIR"] = Path.Combine(_directory, "config"),
            ["DOTNET_REMOTE_SYSTEM_CONFIG"] = Path.Combine(_directory, "etc", "remote.yaml"),
        };
        var paths = RemotePaths.FromEnvironment(name => variables.GetValueOrDefault(name));
        Directory.CreateDirectory(paths.UserConfigDirectory);
        File.WriteAllText(paths.UserConfigFile, _text);
        _store = new RemoteConfigStore(new RemoteContext(paths, isRoot: false));
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public object Parse() => RemoteConfigYaml.Parse(_text, "remote.yaml");

    [Benchmark]
    public string Write() => RemoteConfigYaml.Write(_config);

    [Benchmark]
    public string ParseAndWrite() => RemoteConfigYaml.Write(RemoteConfigYaml.Parse(_text, "remote.yaml"));

    /// <summary>One <c>remote use</c>-sized change; the active name alternates so every call really writes.</summary>
    [Benchmark]
    public Task<int> StoreUpdate() =>
        _store.UpdateUserAsync(merged: false, config =>
        {
            config.Active = (++_updates % 2 == 0) ? "r1" : "r2";
            return 0;
        });

    private static RemoteConfig BuildConfig(int remotes)
    {
        var config = new RemoteConfig { Active = "r1" };
        for (var i = 0; i < remotes; i++)
        {
            var endpoint = new EndpointConfig
            {
                Uri = $"library{i}.example.com:8443/api",
                Token = i % 3 == 0 ? new string('t', 240) : "",
                System = i % 10 == 0,
                Insecure = i % 7 == 0,
            };
            if (i % 5 == 0)
            {
                endpoint.Keyservers.Add(new KeyserverConfig { Uri = $"https://keys{i}.example.com" });
                endpoint.Keyservers.Add(new KeyserverConfig { Uri = $"hkp://pgp{i}.example.com", External = true, Insecure = true });
            }

            config.Remotes[$"r{i}"] = endpoint;
        }

        config.Credentials.Add(new CredentialConfig { Uri = "docker://docker.io" });
        config.Credentials.Add(new CredentialConfig { Uri = "https://keys.example.com", Auth = "Basic YWxpY2U6czNjcjN0", Insecure = true });
        return config;
    }
}
