using DotnetRemote.Core.Configuration;

namespace DotnetRemote.Core.Tests.Configuration;

public class RemoteConfigYamlRoundTripTests
{
    [Fact]
    public void The_v125_example_is_rewritten_byte_for_byte()
    {
        var config = RemoteConfigYaml.Parse(SampleYaml.V125Example, "remote.yaml");

        Assert.Equal(SampleYaml.V125Example, RemoteConfigYaml.Write(config));
    }

    [Fact]
    public void The_v125_example_parses_into_every_key_and_value()
    {
        var config = RemoteConfigYaml.Parse(SampleYaml.V125Example, "remote.yaml");

        AssertExampleModel(config, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...(>=200 chars)");
    }

    [Fact]
    public void The_head_4_space_example_parses_into_the_same_model()
    {
        var config = RemoteConfigYaml.Parse(SampleYaml.HeadExample, "remote.yaml");

        AssertExampleModel(config, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi...(>=200 chars)");
    }

    [Fact]
    public void The_head_example_is_rewritten_in_the_v125_layout_with_the_same_content()
    {
        var head = RemoteConfigYaml.Parse(SampleYaml.HeadExample, "remote.yaml");
        var written = RemoteConfigYaml.Write(head);

        // Only the token differs between the two documented files.
        var expected = SampleYaml.V125Example.Replace("IkpXVCJ9...(", "IkpXVCJ9.eyJzdWIiOi...(", StringComparison.Ordinal);
        Assert.Equal(expected, written);
        Assert.Equal(written, RemoteConfigYaml.Write(RemoteConfigYaml.Parse(written, "again.yaml")));
    }

    [Fact]
    public void Writing_uses_two_spaces_and_indentless_sequences()
    {
        var written = RemoteConfigYaml.Write(RemoteConfigYaml.Parse(SampleYaml.HeadExample, "remote.yaml"));
        var lines = written.Split('\n');

        Assert.Contains("  DefaultRemote:", lines);
        Assert.Contains("    Keyservers:", lines);
        Assert.Contains("    - URI: https://keys.openpgp.org", lines);
        Assert.Contains("- URI: docker://docker.io", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("      - ", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_config_is_written_with_an_empty_active_and_an_empty_map()
    {
        Assert.Equal("Active: \"\"\nRemotes: {}\n", RemoteConfigYaml.Write(new RemoteConfig()));
    }

    [Fact]
    public void Empty_values_are_omitted_and_booleans_are_always_written()
    {
        var config = new RemoteConfig { Active = "a" };
        config.Remotes["a"] = new EndpointConfig();
        config.Credentials.Add(new CredentialConfig { Uri = "docker://docker.io" });

        Assert.Equal(
            "Active: a\nRemotes:\n  a:\n    System: false\n    Exclusive: false\nCredentials:\n- URI: docker://docker.io\n  Insecure: false\n",
            RemoteConfigYaml.Write(config));
    }

    [Fact]
    public void Remote_names_are_written_in_natural_order()
    {
        var config = new RemoteConfig();
        foreach (var name in new[] { "b", "a10", "a2", "B", "_x" })
        {
            config.Remotes[name] = new EndpointConfig { Uri = name + ".example.com" };
        }

        var names = RemoteConfigYaml.Write(config).Split('\n')
            .Where(l => l.Length > 2 && l[2] != ' ' && l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().TrimEnd(':'))
            .ToArray();

        Assert.Equal(["_x", "B", "a2", "a10", "b"], names);
    }

    private static void AssertExampleModel(RemoteConfig config, string token)
    {
        Assert.Equal("SylabsCloud", config.Active);
        Assert.Equal(["DefaultRemote", "SylabsCloud", "lab-http"], config.Remotes.Keys.Order(StringComparer.Ordinal));

        var stock = config.Remotes["DefaultRemote"];
        Assert.Equal(("cloud.apptainer.org", "", true, false, false), (stock.Uri, stock.Token, stock.System, stock.Exclusive, stock.Insecure));
        Assert.Equal(
            [
                new KeyserverConfig { Uri = "https://keys.openpgp.org", Skip = false, External = false, Insecure = false },
                new KeyserverConfig { Uri = "http://keys.internal:11371", Skip = false, External = true, Insecure = true },
            ],
            stock.Keyservers);

        var sylabs = config.Remotes["SylabsCloud"];
        Assert.Equal(("cloud.sylabs.io", token, false, false, false), (sylabs.Uri, sylabs.Token, sylabs.System, sylabs.Exclusive, sylabs.Insecure));
        Assert.Empty(sylabs.Keyservers);

        var lab = config.Remotes["lab-http"];
        Assert.Equal(("library.lab.internal", "", false, false, true), (lab.Uri, lab.Token, lab.System, lab.Exclusive, lab.Insecure));

        Assert.Equal(
            [
                new CredentialConfig { Uri = "docker://docker.io", Auth = "", Insecure = false },
                new CredentialConfig { Uri = "oras://localhost:5000", Auth = "", Insecure = false },
                new CredentialConfig { Uri = "http://keys.internal:11371", Auth = "Basic YWxpY2U6czNjcjN0", Insecure = true },
            ],
            config.Credentials);
    }
}
