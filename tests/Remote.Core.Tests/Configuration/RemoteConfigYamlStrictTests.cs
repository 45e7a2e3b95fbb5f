using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Tests.Configuration;

/// <summary>docs/compatibility.md#yaml-format: the reader is as strict as yaml.v2's UnmarshalStrict, and every error names file and line.</summary>
public class RemoteConfigYamlStrictTests
{
    private const string File = "/home/u/.apptainer/remote.yaml";

    [Theory]
    [InlineData("NoneSenseRemote: 1\n", 1, "field NoneSenseRemote not found in type remote.Config")]
    [InlineData("Active: a\nRemotes:\n  a:\n    URI: a.example.com\n    Colour: red\n", 5, "field Colour not found in type endpoint.Config")]
    [InlineData("Remotes:\n  a:\n    Keyservers:\n    - URI: https://k\n      Primary: true\n", 5, "field Primary not found in type endpoint.ServiceConfig")]
    [InlineData("Credentials:\n- URI: docker://docker.io\n  Password: x\n", 3, "field Password not found in type credential.Config")]
    [InlineData("active: a\n", 1, "field active not found in type remote.Config")]
    public void An_unknown_key_is_rejected_with_its_type_and_line(string yaml, int line, string detail)
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml, File));

        AssertNamesFileAndLine(error, line, detail);
    }

    [Fact]
    public void A_duplicate_remote_name_is_rejected()
    {
        const string yaml = "Remotes:\n  a:\n    URI: one\n  b:\n    URI: two\n  a:\n    URI: three\n";

        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml, File));

        AssertNamesFileAndLine(error, 6, "key \"a\" already set in map");
    }

    [Theory]
    [InlineData("Active: a\nActive: b\n", 2, "field Active already set in type remote.Config")]
    [InlineData("Remotes:\n  a:\n    System: true\n    System: false\n", 4, "field System already set in type endpoint.Config")]
    [InlineData("Credentials:\n- URI: x\n  URI: y\n", 3, "field URI already set in type credential.Config")]
    public void A_repeated_struct_key_is_rejected(string yaml, int line, string detail)
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml, File));

        AssertNamesFileAndLine(error, line, detail);
    }

    [Theory]
    [InlineData("Remotes:\n  a:\n    System: maybe\n", 3, "maybe")]
    [InlineData("Remotes:\n  a:\n    Exclusive: 1\n", 3, "1")]
    [InlineData("Remotes:\n- a\n", 2, "")]
    [InlineData("Credentials:\n  URI: x\n", 2, "")]
    [InlineData("Active: [a, b]\n", 1, "")]
    [InlineData("Remotes:\n  a: just-a-string\n", 2, "just-a-string")]
    [InlineData("- a\n- b\n", 1, "")]
    [InlineData("Remotes:\n  a:\n    System: \"true\"\n", 3, "true")]
    public void A_value_of_the_wrong_type_is_rejected(string yaml, int line, string fragment)
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml, File));

        Assert.Equal(File, error.FilePath);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{line}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Active: a\n  Remotes: b\n", 2)]
    [InlineData("Remotes:\n  a:\n    URI: \"open\n", 3)]
    [InlineData("Active: a\n\tRemotes: {}\n", 1)]
    public void A_syntax_error_names_the_file_and_the_line_where_the_broken_node_starts(string yaml, int line)
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse(yaml, File));

        Assert.Equal(File, error.FilePath);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"{File}:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(RemoteErrorCodes.ConfigInvalid, error.Code);
    }

    [Fact]
    public void Anchors_and_aliases_are_read_as_yaml_v2_reads_them()
    {
        var config = RemoteConfigYaml.Parse("Remotes:\n  a: &shared\n    URI: a.example.com\n    System: false\n  b: *shared\n", File);

        Assert.Equal("a.example.com", config.Remotes["b"].Uri);
    }

    [Fact]
    public void An_unclosed_flow_sequence_names_the_file_and_line()
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse("Active: [unclosed\nRemotes: {}\n", File));

        Assert.Equal((File, 1), (error.FilePath, error.Line));
        Assert.StartsWith($"{File}:1: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_documents_are_rejected()
    {
        var error = Assert.Throws<ConfigFileException>(() => RemoteConfigYaml.Parse("Active: a\n---\nActive: b\n", File));

        Assert.Equal(File, error.FilePath);
        Assert.NotNull(error.Line);
    }

    private static void AssertNamesFileAndLine(ConfigFileException error, int line, string detail)
    {
        Assert.Equal(File, error.FilePath);
        Assert.Equal(line, error.Line);
        Assert.Equal(detail, error.Detail);
        Assert.Equal($"{File}:{line}: {detail}", error.Message);
        Assert.Equal(RemoteErrorCodes.ConfigInvalid, error.Code);
    }
}
