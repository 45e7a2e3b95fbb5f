using System.Diagnostics;
using System.Text.Json.Nodes;
using DotnetRemote.Core.Configuration;

namespace DotnetRemote.Core.Tests.Configuration;

/// <summary>
/// remote.yaml byte for byte as Apptainer 1.2.5 writes it: eng/yamlv2-reference encodes the same content with
/// gopkg.in/yaml.v2 2.4.0 and Apptainer's struct tags, and strictly decodes what we write. Needs Debian's
/// golang-go and golang-gopkg-yaml.v2-dev (eng/setup-test-env.sh installs them); skipped with the reason otherwise.
/// </summary>
public sealed class RemoteYamlV2ReferenceTests
{
    private static readonly Lazy<(string? Program, string? Missing)> Reference = new(BuildReference);

    /// <summary>Names that need yaml.v2's quoting rules: indicators, YAML 1.1 types, spaces, escapes, sort order.</summary>
    public static readonly string[] Names =
    [
        "plain", "\"dq", "#x", "'q", "-dash", "- dash", "with space", "a: b", "a:b", "x #y", "x#y", "trailing ", " leading",
        "yes", "No", "on", "null", "~", "123", "0x1F", "0o17", "1e3", ".5", "1:20", "+1", "-0b101", "1_000", "08", "0.", "1e999",
        "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-13-40", "!tag", "&anchor", "*alias", "%pct", "@at", "`bt",
        "|pipe", ">gt", "[b", "{c", "c}", ",comma", "?q", "? q", ":colon", "tab\there", "über", "日本", "emoji😀", "back\\slash",
        "---", "...x", "<<", "=", "-", "a10", "a9", "A1", "b", "nbsp\u00a0x", "bell\u0007", "bom\ufeffx", "\ufeffbom",
    ];

    /// <summary>Values for URI, Token and Auth: every style, including folding past column 80 and literal blocks.</summary>
    public static readonly string[] Values =
    [
        "cloud.example.com", "host:8443/path", "http://insecure.example.com", "Basic YWxpY2U6czNjcjN0", "eyJhbGciOiJIUzI1NiJ9.e30.x-y_z=",
        "a b c", string.Join(' ', Enumerable.Repeat("word", 30)), "\"" + string.Join(' ', Enumerable.Repeat("word", 30)),
        string.Join(' ', Enumerable.Repeat("word", 30)) + " ", "tab\t" + string.Join(' ', Enumerable.Repeat("word", 30)),
        string.Join("  ", Enumerable.Repeat("two", 40)), "line1\nline2", "line1\nline2\n", "line1\n\n", "\n", " lead\nx", "x \ny",
        "#hash", "'q", "yes", "", "0777", "1.50", "x: y", "k #c",
    ];

    [SkippableFact]
    public void Our_writer_gives_yaml_v2s_bytes_and_yaml_v2_reads_them_back_strictly()
    {
        var configs = Corpus();

        var expected = Run("encode", new JsonArray(configs.Select(ToJson).ToArray<JsonNode?>()));
        var ours = configs.Select(RemoteConfigYaml.Write).ToList();

        // "<<" is the one deliberate difference: yaml.v2 writes it plain and then cannot read its own file.
        var mergeKey = configs.FindIndex(c => c.Active == "<<");
        var goMergeKey = Run("decode", new JsonArray(expected[mergeKey]!.GetValue<string>()))[0]!;
        Assert.Contains("cannot unmarshal", (string?)goMergeKey["error"], StringComparison.Ordinal);
        Assert.Equal(expected[mergeKey]!.GetValue<string>().Replace("<<", "\"<<\"", StringComparison.Ordinal), ours[mergeKey]);

        var differences = expected.AsArray().Select((e, i) => (Expected: e!.GetValue<string>(), Ours: ours[i], Index: i))
            .Where(p => p.Index != mergeKey && p.Expected != p.Ours)
            .Select(p => FirstDifference(p.Expected, p.Ours))
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {configs.Count} documents differ:\n" + string.Join("\n----\n", differences.Take(5)));

        var decoded = Run("decode", new JsonArray(ours.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray())).AsArray();
        for (var i = 0; i < configs.Count; i++)
        {
            Assert.Null(decoded[i]!["error"]);
            Assert.Equal(ours[i], RemoteConfigYaml.Write(FromJson(decoded[i]!["config"]!)));
            Assert.Equal(ours[i], RemoteConfigYaml.Write(RemoteConfigYaml.Parse(ours[i], "remote.yaml")));
        }
    }

    [SkippableFact]
    public void Yaml_v2_reads_the_system_file_apply_system_writes_and_writes_the_same_bytes()
    {
        // What an administrator's manifest makes (Manifests.SystemManifestTests) is what Apptainer 1.2.5 reads and writes.
        var decoded = Run("decode", new JsonArray(JsonValue.Create(Manifests.SystemManifestTests.FleetSystemFile)))[0]!;

        Assert.Null(decoded["error"]);
        Assert.Equal(Manifests.SystemManifestTests.FleetSystemFile, Run("encode", new JsonArray(decoded["config"]!.DeepClone()))[0]!.GetValue<string>());
    }

    private static string FirstDifference(string expected, string ours)
    {
        var (a, b) = (expected.Split('\n'), ours.Split('\n'));
        var line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length) - 1);
        return $"line {line + 1}: yaml.v2 [{a[line]}] ours [{b[line]}]";
    }

    /// <summary>One document per name (as key, active name and value), per value in every field, and the layouts.</summary>
    private static List<RemoteConfig> Corpus()
    {
        var corpus = new List<RemoteConfig> { new() };
        var all = new RemoteConfig { Active = "b" };
        foreach (var name in Names)
        {
            var config = new RemoteConfig { Active = name };
            config.Remotes[name] = new EndpointConfig { Uri = name, Token = name };
            config.Credentials.Add(new CredentialConfig { Uri = name, Auth = name });
            corpus.Add(config);

            // yaml.v2's key order is not transitive when digits meet other characters ("08" < "1e999" < "2001-…"
            // but "08" > "2001-…" numerically), so for such sets even Apptainer's order depends on Go's random map
            // order; the sorted document keeps to names without digits, plus the digit cases below.
            if (!name.Any(char.IsAsciiDigit) && name != "<<")
            {
                all.Remotes[name] = new EndpointConfig { Uri = "u.example.com", System = name.Length % 2 == 0 };
            }
        }

        corpus.Add(all);
        var numbered = new RemoteConfig { Active = "a9" };
        foreach (var name in (string[])["a12", "x1y", "x10y", "a9", "a10", "A1", "b", "r01", "r1", "r001", "r2", "v1.10", "v1.9", "v10", "node-2", "node-10"])
        {
            numbered.Remotes[name] = new EndpointConfig { Uri = name + ".example.com" };
        }

        corpus.Add(numbered);
        foreach (var value in Values)
        {
            var config = new RemoteConfig { Active = value };
            var endpoint = new EndpointConfig { Uri = value, Token = value, Insecure = true, Exclusive = true };
            endpoint.Keyservers.Add(new KeyserverConfig { Uri = value, Skip = true });
            endpoint.Keyservers.Add(new KeyserverConfig { Uri = "https://keys.example.com", External = true, Insecure = true });
            config.Remotes["r"] = endpoint;
            config.Credentials.Add(new CredentialConfig { Uri = value, Auth = value, Insecure = true });
            config.Credentials.Add(new CredentialConfig { Uri = "docker://registry.example.com" });
            corpus.Add(config);
        }

        return corpus;
    }

    private static JsonNode ToJson(RemoteConfig config)
    {
        var remotes = new JsonObject();
        foreach (var (name, endpoint) in config.Remotes)
        {
            remotes[name] = new JsonObject
            {
                ["URI"] = endpoint.Uri,
                ["Token"] = endpoint.Token,
                ["System"] = endpoint.System,
                ["Exclusive"] = endpoint.Exclusive,
                ["Insecure"] = endpoint.Insecure,
                ["Keyservers"] = new JsonArray(endpoint.Keyservers.Select(k => (JsonNode?)new JsonObject { ["URI"] = k.Uri, ["Skip"] = k.Skip, ["External"] = k.External, ["Insecure"] = k.Insecure }).ToArray()),
            };
        }

        return new JsonObject
        {
            ["Active"] = config.Active,
            ["Remotes"] = remotes,
            ["Credentials"] = new JsonArray(config.Credentials.Select(c => (JsonNode?)new JsonObject { ["URI"] = c.Uri, ["Auth"] = c.Auth, ["Insecure"] = c.Insecure }).ToArray()),
        };
    }

    private static RemoteConfig FromJson(JsonNode json)
    {
        var config = new RemoteConfig { Active = (string?)json["Active"] ?? "" };
        foreach (var (name, node) in json["Remotes"]?.AsObject() ?? [])
        {
            var endpoint = new EndpointConfig
            {
                Uri = (string?)node!["URI"] ?? "",
                Token = (string?)node["Token"] ?? "",
                System = (bool?)node["System"] ?? false,
                Exclusive = (bool?)node["Exclusive"] ?? false,
                Insecure = (bool?)node["Insecure"] ?? false,
            };
            endpoint.Keyservers.AddRange((node["Keyservers"]?.AsArray() ?? []).Select(k => new KeyserverConfig { Uri = (string?)k!["URI"] ?? "", Skip = (bool)k["Skip"]!, External = (bool)k["External"]!, Insecure = (bool)k["Insecure"]! }));
            config.Remotes[name] = endpoint;
        }

        config.Credentials.AddRange((json["Credentials"]?.AsArray() ?? []).Select(c => new CredentialConfig { Uri = (string?)c!["URI"] ?? "", Auth = (string?)c["Auth"] ?? "", Insecure = (bool)c["Insecure"]! }));
        return config;
    }

    private static JsonNode Run(string mode, JsonNode input)
    {
        var (program, missing) = Reference.Value;
        Skip.If(program is null, missing);
        var start = new ProcessStartInfo(program!, mode) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input.ToJsonString());
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"yamlv2-reference {mode} failed: {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!;
    }

    /// <summary>Builds eng/yamlv2-reference once (GOPATH mode, Debian's yaml.v2), or says what is missing.</summary>
    private static (string? Program, string? Missing) BuildReference()
    {
        var source = RepositoryFiles.Find("eng/yamlv2-reference/main.go");
        var goPath = Environment.GetEnvironmentVariable("GOPATH") is { Length: > 0 } custom ? custom + Path.PathSeparator + "/usr/share/gocode" : "/usr/share/gocode";
        if (!goPath.Split(Path.PathSeparator).Any(p => Directory.Exists(Path.Combine(p, "src/gopkg.in/yaml.v2"))))
        {
            return (null, "gopkg.in/yaml.v2 is not installed (Debian: apt-get install golang-gopkg-yaml.v2-dev; eng/setup-test-env.sh does it)");
        }

        // In the test's own output folder: a shared folder in /tmp would belong to whichever user built first.
        var work = Path.Combine(AppContext.BaseDirectory, "yamlv2-reference");
        var output = Path.Combine(work, $"yamlv2-reference-{Environment.ProcessId}");
        var build = new ProcessStartInfo("go", ["build", "-o", output, "."])
        {
            WorkingDirectory = Path.GetDirectoryName(source)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        build.Environment["GO111MODULE"] = "off";
        build.Environment["GOPATH"] = goPath;
        build.Environment["GOCACHE"] = Path.Combine(work, "gocache");
        try
        {
            using var process = Process.Start(build)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? (output, null) : throw new InvalidOperationException($"go build of {source} failed: {error}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "Go is not installed (Debian: apt-get install golang-go; eng/setup-test-env.sh does it)");
        }
    }
}
