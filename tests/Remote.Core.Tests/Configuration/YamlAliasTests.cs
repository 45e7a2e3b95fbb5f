using System.Text;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Tests.Configuration;

public sealed class YamlAliasTests
{
    private const string File = "/etc/apptainer/remote.yaml";

    [Fact]
    public void A_scalar_anchor_and_a_nested_mapping_anchor_are_both_replayed()
    {
        var yaml = """
            Active: &main a
            Remotes:
              a: &endpoint
                URI: &host a.example.com
                System: false
                Keyservers: &keys
                - URI: https://keys.example.com
                  Skip: false
                  External: true
                  Insecure: false
              b:
                URI: *host
                Keyservers: *keys
              c: *endpoint
            """;

        var config = RemoteConfigYaml.Parse(yaml, File);

        Assert.Equal("a", config.Active);
        Assert.Equal("a.example.com", config.Remotes["b"].Uri);
        Assert.Equal("https://keys.example.com", Assert.Single(config.Remotes["b"].Keyservers).Uri);
        Assert.Equal("a.example.com", config.Remotes["c"].Uri);
        Assert.Single(config.Remotes["c"].Keyservers);
    }

    [Fact]
    public void An_unknown_alias_names_the_file_and_line()
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse("Active: a\nRemotes:\n  b: *missing\n", File));

        Assert.Equal(3, error.Line);
        Assert.Contains("unknown anchor", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_that_multiply_a_small_file_into_millions_of_nodes_are_refused()
    {
        // One anchored list of 2,000 keyservers, aliased by 600 remotes: about 11 million events once expanded.
        var yaml = new StringBuilder("Remotes:\n  r0:\n    Keyservers: &many\n");
        for (var i = 0; i < 2_000; i++)
        {
            yaml.Append($"    - URI: https://k{i}.example.com\n");
        }

        for (var r = 1; r <= 600; r++)
        {
            yaml.Append($"  r{r}:\n    Keyservers: *many\n");
        }

        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml.ToString(), File));

        Assert.Contains("too large", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_tens_of_thousands_of_remotes_and_no_anchors_is_read_whole()
    {
        var config = new RemoteConfig { Active = "r0" };
        for (var i = 0; i < 30_000; i++)
        {
            config.Remotes[$"r{i}"] = new EndpointConfig { Uri = $"r{i}.example.com", Token = new string('t', 64) };
        }

        var read = RemoteConfigYaml.Parse(RemoteConfigYaml.Write(config), File);

        Assert.Equal(30_000, read.Remotes.Count);
        Assert.Equal("r29999.example.com", read.Remotes["r29999"].Uri);
    }
}
