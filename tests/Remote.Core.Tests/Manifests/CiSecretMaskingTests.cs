using DotnetRemote.Core.Manifests;

namespace DotnetRemote.Core.Tests.Manifests;

public sealed class CiSecretMaskingTests
{
    private static IReadOnlyList<string> Commands(IEnumerable<string> secrets, params (string Name, string Value)[] variables) =>
        CiSecretMasking.Commands(secrets, name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void GitHub_Actions_gets_one_add_mask_line_per_secret()
    {
        Assert.Equal(["::add-mask::token-1", "::add-mask::password-2"], Commands(["token-1", "password-2"], ("GITHUB_ACTIONS", "true")));
    }

    [Fact]
    public void Azure_Pipelines_gets_one_setsecret_line_per_secret()
    {
        Assert.Equal(["##vso[task.setsecret]token-1"], Commands(["token-1"], ("TF_BUILD", "True")));
    }

    [Fact]
    public void Elsewhere_nothing_is_printed()
    {
        Assert.Empty(Commands(["token-1"]));
        Assert.Empty(Commands(["token-1"], ("GITHUB_ACTIONS", "false"), ("TF_BUILD", "")));
    }

    [Fact]
    public void A_multi_line_secret_is_masked_line_by_line_and_duplicates_once()
    {
        Assert.Equal(
            ["::add-mask::-----BEGIN KEY-----", "::add-mask::abc", "::add-mask::-----END KEY-----"],
            Commands(["-----BEGIN KEY-----\r\nabc\r\n\r\n-----END KEY-----\n", "abc"], ("GITHUB_ACTIONS", "TRUE")));
    }

    [Fact]
    public void GitHub_wins_when_both_platforms_are_set()
    {
        Assert.Equal(["::add-mask::s"], Commands(["s"], ("GITHUB_ACTIONS", "true"), ("TF_BUILD", "True")));
    }
}
