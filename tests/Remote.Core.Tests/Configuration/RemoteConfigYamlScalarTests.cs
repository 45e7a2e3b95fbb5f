using DotnetRemote.Core.Configuration;

namespace DotnetRemote.Core.Tests.Configuration;

public class RemoteConfigYamlScalarTests
{
    // yaml.v2 double-quotes text that would read back as another type, single-quotes text that only needs
    // quoting for its indicators, and escapes in double quotes only what cannot stand in single quotes.
    [Theory]
    [InlineData("yes", "\"yes\"")]
    [InlineData("no", "\"no\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("Off", "\"Off\"")]
    [InlineData("y", "\"y\"")]
    [InlineData("N", "\"N\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("FALSE", "\"FALSE\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("", "\"\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("-7", "\"-7\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("2024-01-02", "\"2024-01-02\"")]
    [InlineData("- item", "'- item'")]
    [InlineData("key: value", "'key: value'")]
    [InlineData("#comment", "'#comment'")]
    [InlineData("trailing ", "'trailing '")]
    [InlineData("\"hi\"", "'\"hi\"'")]
    [InlineData("say \"hi\"", "say \"hi\"")]
    [InlineData("'single", "'''single'")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("cloud.sylabs.io", "cloud.sylabs.io")]
    [InlineData("https://keys.openpgp.org", "https://keys.openpgp.org")]
    [InlineData("host:8443/path", "host:8443/path")]
    [InlineData("Basic YWxpY2U6czNjcjN0", "Basic YWxpY2U6czNjcjN0")]
    [InlineData("yesterday", "yesterday")]
    [InlineData("a10", "a10")]
    public void Strings_are_quoted_as_yaml_v2_quotes_them(string value, string expected)
    {
        var config = new RemoteConfig { Active = value };

        var written = RemoteConfigYaml.Write(config);

        Assert.StartsWith($"Active: {expected}\n", written, StringComparison.Ordinal);
        Assert.Equal(value, RemoteConfigYaml.Parse(written, "remote.yaml").Active);
    }

    [Fact]
    public void A_remote_name_that_looks_like_a_number_round_trips_as_a_string()
    {
        var config = new RemoteConfig { Active = "123" };
        config.Remotes["123"] = new EndpointConfig { Uri = "yes", Token = "0777" };

        var again = RemoteConfigYaml.Parse(RemoteConfigYaml.Write(config), "remote.yaml");

        Assert.Equal("123", again.Active);
        Assert.Equal("yes", again.Remotes["123"].Uri);
        Assert.Equal("0777", again.Remotes["123"].Token);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData("YES", true)]
    [InlineData("y", true)]
    [InlineData("Y", true)]
    [InlineData("on", true)]
    [InlineData("On", true)]
    [InlineData("ON", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("no", false)]
    [InlineData("N", false)]
    [InlineData("n", false)]
    [InlineData("off", false)]
    [InlineData("OFF", false)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    public void Yaml_1_1_boolean_spellings_are_accepted(string spelling, bool expected)
    {
        var config = RemoteConfigYaml.Parse($"Remotes:\n  r:\n    System: {spelling}\n    Exclusive: {spelling}\n", "remote.yaml");

        Assert.Equal(expected, config.Remotes["r"].System);
        Assert.Equal(expected, config.Remotes["r"].Exclusive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void An_empty_file_is_an_empty_config(string text)
    {
        var config = RemoteConfigYaml.Parse(text, "remote.yaml");

        Assert.Equal("", config.Active);
        Assert.Empty(config.Remotes);
        Assert.Empty(config.Credentials);
    }

    [Fact]
    public void Plain_numbers_and_booleans_in_string_fields_read_as_their_text()
    {
        var config = RemoteConfigYaml.Parse("Active: 123\nRemotes:\n  007:\n    URI: yes\n    Token: 1.50\n", "remote.yaml");

        Assert.Equal("123", config.Active);
        Assert.Equal(("yes", "1.50"), (config.Remotes["007"].Uri, config.Remotes["007"].Token));
    }

    [Fact]
    public void Null_values_read_as_empty()
    {
        var config = RemoteConfigYaml.Parse("Active: ~\nRemotes:\nCredentials: null\n", "remote.yaml");

        Assert.Equal("", config.Active);
        Assert.Empty(config.Remotes);
        Assert.Empty(config.Credentials);
    }

    [Fact]
    public void Flow_style_and_quoted_strings_are_read()
    {
        var config = RemoteConfigYaml.Parse(
            "{Active: 'x', Remotes: {x: {URI: \"a.example.com\", System: yes, Keyservers: [{URI: hkp://k, Skip: no}]}}}",
            "remote.yaml");

        Assert.Equal("x", config.Active);
        Assert.Equal("a.example.com", config.Remotes["x"].Uri);
        Assert.True(config.Remotes["x"].System);
        Assert.Equal("hkp://k", Assert.Single(config.Remotes["x"].Keyservers).Uri);
    }
}
