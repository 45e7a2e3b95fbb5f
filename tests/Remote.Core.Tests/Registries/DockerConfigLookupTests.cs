using System.Text;
using CsCheck;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Tests.Hostile;

namespace DotnetRemote.Core.Tests.Registries;

/// <summary>
/// <see cref="DockerConfigLookup"/> (the credential lookup's scan, no JSON tree) must answer everything a lookup
/// reads exactly as <see cref="DockerConfigFile.Load"/> does, errors included: compared on thousands of mutated
/// files (fixed seed), on a 2,000-login file, and on the defects the strict parser refuses far from the wanted entry.
/// </summary>
public sealed class DockerConfigLookupTests : IDisposable
{
    private static readonly string[] References =
    [
        "registry.example.com", "registry.example.com/team/app", "docker.io/library/alpine", "h:5000", "ghcr.io/team", "myreg.io", "other.example.com",
    ];

    private static readonly string[] Samples =
    [
        """{"auths":{"registry.example.com":{"auth":"YWxpY2U6cHc="},"https://index.docker.io/v1/":{}},"credsStore":"pass","credHelpers":{"ghcr.io":"gh"}}""",
        """{"auths":{"ghcr.io/team":{"username":"u","password":"p"},"h:5000":{"identitytoken":"tok"},"registry.example.com/team":{}},"psFormat":"table"}""",
        """{"auths":{"https://myreg.io/v2/":{"auth":"Ym9iOnNlY3JldA=="},"http://myreg.io":{"auth":"!!"},"\u0072egistry.example.com":{"auth":"YTpi"}},"credHelpers":{"registry.example.com":"dotnet-remote","myreg.io":""}}""",
        """{"auths":{"registry.example.com":null,"h:5000":"x","ghcr.io/team":[1,{"a":1}],"other.example.com":{"auth":"YTpi","x":{"y":[{"z":1}]}}}, /* c */ "credsStore":{"a":1},}""",
        "{\n\t\"auths\": {\n\t\t\"registry.example.com/team/app\": {\n\t\t\t\"auth\": \"YTpi\"\n\t\t},\n\t\t\"docker.io\": {\"auth\": \"YTpi\"}\n\t}\n}\n",
        """{"credsStore":"desktop","auths":null,"credHelpers":null,"x":[{"auths":{"registry.example.com":{"auth":"YTpi"}}}]}""",
    ];

    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string FilePath => Path.Combine(_machine.Root, "docker-config.json");

    [Fact]
    public void Mutated_files_give_the_same_answers_and_errors_as_the_whole_loader()
    {
        int selected = 0, loaded = 0;
        var report = Fuzz.Run(
            Gen.Select(Fuzz.Bytes(Samples, [.. Fuzz.JsonTokens, "\"registry.example.com\":{\"auth\":\"YTpi\"}", "\"https://registry.example.com/v1/\":{}", "\\u0068"]), Gen.OneOf(References)),
            input =>
            {
                var (bytes, reference) = input;
                if (DockerConfigLookup.Select(bytes, RegistryReference.ParseRegistry($"docker://{reference}").LookupKeys()) is not null)
                {
                    selected++;
                }

                if (AssertSameAnswers(bytes, reference))
                {
                    loaded++;
                }
            },
            input => $"{input.Item2} in {Fuzz.Show(input.Item1)}");

        // The scan reads itself exactly the files the whole loader accepts (the others it hands over for the error).
        Assert.Empty(report.Crashes);
        Assert.Equal(loaded, selected);
    }

    [Fact]
    public void Generated_valid_files_give_the_same_answers()
    {
        // Valid files of every shape a lookup meets: wanted keys among others, escaped and scheme keys, entries of
        // every kind, helpers, comments and trailing commas, members in any order.
        var keyGen = Gen.OneOf(
            Gen.OneOf(References.Select(r => $"\"{r}\"").ToArray()),
            Gen.OneOf("\"h\\u003a5000\"", "\"https://myreg.io/v2/\"", "\"http://registry.example.com\"", "\"https://index.docker.io/v1/\"", "\"registry.example.com/team\"", "\"docker.io\""),
            Gen.Int[0, 3000].Select(i => $"\"host-{i}.example\""));
        var valueGen = Gen.OneOf(
            "{\"auth\":\"YTpi\"}", "{}", "null", "\"x\"", "[1,{\"a\":[]}]", "{\"username\":\"u\",\"password\":\"p\"}", "{\"identitytoken\":\"t\",\"auth\":\"dTo=\"}",
            "{\"auth\":\"!!\"}", "{\"auth\":\"YTpi\", /* c */ \"x\":{\"y\":1},}", "{\"auth\":1,\"password\":\"\\u0070\"}");
        var gen = Gen.Select(
            Gen.Select(keyGen, valueGen).Array[0, 12],
            Gen.OneOf("", "\"credsStore\":\"pass\"", "\"credsStore\":\"\"", "\"credsStore\":7", "\"credHelpers\":{\"registry.example.com\":\"gh\",\"myreg.io\":\"dotnet-remote\"}", "\"credHelpers\":null"),
            Gen.Bool,
            Gen.OneOf(References),
            (entries, extra, authsFirst, reference) =>
            {
                var unique = entries.DistinctBy(e => System.Text.Json.JsonSerializer.Deserialize<string>(e.Item1)).ToList();
                var auths = "\"auths\": {" + string.Join(",\n", unique.Select(e => $"{e.Item1}: {e.Item2}")) + "}";
                var members = new[] { auths, extra, "\"psFormat\":{\"auths\":{}}" }.Where(m => m.Length > 0).ToList();
                if (!authsFirst)
                {
                    members.Reverse();
                }

                return (Encoding.UTF8.GetBytes("{" + string.Join(", // x\n", members) + "}"), reference);
            });
        var selected = 0;
        Fuzz.Run(
            gen,
            input =>
            {
                Assert.NotNull(DockerConfigLookup.Select(input.Item1, RegistryReference.ParseRegistry($"docker://{input.reference}").LookupKeys()));
                selected++;
                Assert.True(AssertSameAnswers(input.Item1, input.reference));
            },
            input => $"{input.reference} in {Encoding.UTF8.GetString(input.Item1)}");
        Assert.Equal(Fuzz.Cases, selected);
    }

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void Each_sample_gives_the_same_answers(int sample, string reference)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[sample]);
        Assert.NotNull(DockerConfigLookup.Select(bytes, RegistryReference.ParseRegistry($"docker://{reference}").LookupKeys()));
        AssertSameAnswers(bytes, reference);
    }

    public static TheoryData<int, string> SampleCases()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Samples.Length; i++)
        {
            foreach (var reference in References)
            {
                data.Add(i, reference);
            }
        }

        return data;
    }

    [Fact]
    public void A_file_with_2000_logins_keeps_only_the_wanted_entry_and_answers_alike()
    {
        var json = new StringBuilder("{\n\t\"auths\": {\n");
        for (var i = 1; i <= 2000; i++)
        {
            json.Append($"\t\t\"host-{i}.example:5000\": {{\n\t\t\t\"auth\": \"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"user-{i}:pass-{i}"))}\"\n\t\t}}{(i < 2000 ? "," : "")}\n");
        }

        json.Append("\t}\n}\n");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());

        var selected = DockerConfigLookup.Select(bytes, ["host-1000.example:5000"]);

        Assert.Equal("{\"auths\":{\"host-1000.example:5000\":{\n\t\t\t\"auth\": \"dXNlci0xMDAwOnBhc3MtMTAwMA==\"\n\t\t}}}", selected);
        AssertSameAnswers(bytes, "host-1000.example:5000");
        AssertSameAnswers(bytes, "host-1.example:5000");
        AssertSameAnswers(bytes, "host-2001.example:5000");
    }

    [Theory]
    [InlineData(0, 1999)]
    [InlineData(7, 8)]
    [InlineData(8, 9)]
    [InlineData(100, 1500)]
    [InlineData(1998, 1999)]
    public void A_duplicate_anywhere_in_a_large_object_is_refused_as_the_whole_loader_refuses_it(int first, int second)
    {
        var keys = Enumerable.Range(0, 2000).Select(i => $"host-{i}.example:5000").ToArray();
        keys[second] = keys[first];
        var json = "{\"auths\":{" + string.Join(",", keys.Select(k => $"\"{k}\":{{\"auth\":\"YTpi\"}}")) + "},\"credsStore\":\"x\"}";
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Null(DockerConfigLookup.Select(bytes, ["host-5.example:5000"]));
        AssertSameAnswers(bytes, "host-5.example:5000");

        // The same names with one spelled with an escape are still the same name.
        var at = json.LastIndexOf($"\"{keys[first]}\"", StringComparison.Ordinal);
        var escaped = Encoding.UTF8.GetBytes(json[..at] + $"\"\\u0068{keys[first][1..]}\"" + json[(at + keys[first].Length + 2)..]);
        Assert.Null(DockerConfigLookup.Select(escaped, ["host-5.example:5000"]));
        AssertSameAnswers(escaped, "host-5.example:5000");
    }

    [Theory]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"},"b":{"x":1,"x":2}}}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"},"b":{"x":"\ud800"}}}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"}},"auths":{}}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"},"r\u0065gistry.example.com":{}}}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"}},"credHelpers":[]}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"}},"x":[1,2}""")]
    [InlineData("""{"auths":{"registry.example.com":{"auth":"YTpi"}}} x""")]
    [InlineData("""[{"auths":{"registry.example.com":{"auth":"YTpi"}}}]""")]
    [InlineData("""{"auths":"registry.example.com"}""")]
    [InlineData("/* only a comment */")]
    [InlineData("null")]
    public void A_defect_away_from_the_wanted_entry_is_the_whole_loader_s_error(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Null(DockerConfigLookup.Select(bytes, ["registry.example.com"]));
        var (full, _) = Answers(() => DockerConfigFile.Load(Write(bytes)), "registry.example.com");
        Assert.StartsWith("error ", full, StringComparison.Ordinal);
        AssertSameAnswers(bytes, "registry.example.com");
    }

    [Fact]
    public void Invalid_utf8_after_the_wanted_entry_is_refused_with_its_line()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"auths\":{\"registry.example.com\":{\"auth\":\"YTpi\"},\n\"b\":\""), 0xFF, .. "\"}}"u8];

        AssertSameAnswers(bytes, "registry.example.com");
        var error = Assert.Throws<ConfigFileException>(() => DockerConfigLookup.Load(Write(bytes), ["registry.example.com"]));
        Assert.Contains(":2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_empty_and_a_symlinked_file_is_read_through_its_link()
    {
        Assert.Empty(DockerConfigLookup.Load(Path.Combine(_machine.Root, "none.json"), ["registry.example.com"]).Keys);

        var target = Path.Combine(_machine.Root, "target.json");
        File.WriteAllText(target, Samples[0]);
        var link = Path.Combine(_machine.Root, "link.json");
        File.CreateSymbolicLink(link, target);
        var full = Answers(() => DockerConfigFile.Load(link), "registry.example.com");
        var scanned = Answers(() => DockerConfigLookup.Load(link, RegistryReference.ParseRegistry("docker://registry.example.com").LookupKeys()), "registry.example.com");
        Assert.Equal(full.Answers, scanned.Answers);
        Assert.Contains("secret=pw", scanned.Answers, StringComparison.Ordinal);
    }

    private string Write(byte[] bytes)
    {
        File.WriteAllBytes(FilePath, bytes);
        return FilePath;
    }

    /// <summary>Compares the two loaders on one file; true when the file loads.</summary>
    private bool AssertSameAnswers(byte[] bytes, string reference)
    {
        var path = Write(bytes);
        var keys = RegistryReference.ParseRegistry($"docker://{reference}").LookupKeys();
        var full = Answers(() => DockerConfigFile.Load(path), reference);
        var scanned = Answers(() => DockerConfigLookup.Load(path, keys), reference);
        Assert.Equal(full.Answers, scanned.Answers);

        // The scan keeps the wanted keys and every scheme key, in file order; nothing else.
        Assert.Equal(full.Keys.Where(k => keys.Contains(k) || DockerConfigFile.SchemeKeyHostname(k) is not null), scanned.Keys);
        return !full.Answers.StartsWith("error ", StringComparison.Ordinal);
    }

    /// <summary>Everything a credential lookup reads from a file, or the load's error, as text.</summary>
    private static (string Answers, IReadOnlyList<string> Keys) Answers(Func<DockerConfigFile> load, string reference)
    {
        DockerConfigFile file;
        try
        {
            file = load();
        }
        catch (Exception ex)
        {
            return ($"error {ex.GetType().Name}: {ex.Message}", []);
        }

        var text = new StringBuilder($"credsStore={file.CredsStore}\n");
        var lookupKeys = RegistryReference.ParseRegistry($"docker://{reference}").LookupKeys();
        foreach (var key in lookupKeys.Concat(file.Keys.Where(k => DockerConfigFile.SchemeKeyHostname(k) is not null)))
        {
            text.Append($"{key}: contains={file.Contains(key)} helper={file.HelperFor(key)} named={file.NamedHelperFor(key)} ");
            try
            {
                text.Append(file.GetEntry(key) is { } entry ? $"{entry} secret={entry.Secret}" : "no entry");
            }
            catch (Exception ex)
            {
                text.Append($"entry error {ex.GetType().Name}: {ex.Message}");
            }

            text.Append('\n');
        }

        return (text.ToString(), file.Keys);
    }
}
