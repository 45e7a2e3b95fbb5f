using DotnetRemote.Core.Exec;

namespace DotnetRemote.Core.Tests.Exec;

/// <summary>What the command inside a scope inherits: the caller's environment, pointed at the scope, without secrets.</summary>
public sealed class ExecEnvironmentTests
{
    private const string Secret = "s3cret-registry-password";

    private static Dictionary<string, string> Child(Dictionary<string, string> parent, params string[] secrets) =>
        ExecEnvironment.For("/run/scope", "/run/scope/docker", "/run/scope/docker-config.json", parent, secrets);

    [Fact]
    public void The_scope_variables_point_at_the_scope_and_replace_the_callers()
    {
        var child = Child(new()
        {
            ["APPTAINER_CONFIGDIR"] = "/home/u/.apptainer",
            ["DOCKER_CONFIG"] = "/home/u/.docker",
            ["REGISTRY_AUTH_FILE"] = "/home/u/auth.json",
            ["PATH"] = "/usr/bin",
        });

        Assert.Equal(new Dictionary<string, string>
        {
            ["APPTAINER_CONFIGDIR"] = "/run/scope",
            ["DOCKER_CONFIG"] = "/run/scope/docker",
            ["REGISTRY_AUTH_FILE"] = "/run/scope/docker-config.json",
            ["DOTNET_REMOTE_EXEC_DIR"] = "/run/scope",
            ["PATH"] = "/usr/bin",
        }, child);
    }

    [Theory]
    [InlineData("DOCKER_USERNAME")]
    [InlineData("DOCKER_PASSWORD")]
    [InlineData("APPTAINER_DOCKER_USERNAME")]
    [InlineData("APPTAINER_DOCKER_PASSWORD")]
    [InlineData("SINGULARITY_DOCKER_PASSWORD")]
    [InlineData("SINGULARITY_CONFIGDIR")]
    [InlineData("APPTAINER_AUTH_FILE")]
    [InlineData("DOCKER_AUTH_CONFIG")]
    [InlineData("DOTNET_CONTAINER_REGISTRY_PWORD")]
    [InlineData("SDK_CONTAINER_REGISTRY_PWORD")]
    public void Variables_that_carry_or_locate_the_users_credentials_are_not_inherited(string name)
    {
        var child = Child(new() { [name] = "user-value", ["HOME"] = "/home/u" });

        Assert.False(child.ContainsKey(name));
        Assert.Equal("/home/u", child["HOME"]);
    }

    [Fact]
    public void A_variable_holding_a_secret_of_the_manifest_is_not_inherited_whatever_its_name()
    {
        var child = Child(
            new()
            {
                ["REGISTRY_PASSWORD"] = Secret,
                ["CI_JOB_CONFIG"] = $"{{\"password\":\"{Secret}\"}}",
                ["SHORT"] = "abc",
                ["CONTAINS_SHORT"] = "xxabcxx",
                ["UNRELATED"] = "value",
            },
            Secret,
            "abc");

        Assert.False(child.ContainsKey("REGISTRY_PASSWORD"));
        Assert.False(child.ContainsKey("CI_JOB_CONFIG"));
        Assert.False(child.ContainsKey("SHORT"));

        // A secret this short would match anything: only a variable that is exactly it goes.
        Assert.Equal("xxabcxx", child["CONTAINS_SHORT"]);
        Assert.Equal("value", child["UNRELATED"]);
        Assert.DoesNotContain(child.Values, value => value.Contains(Secret, StringComparison.Ordinal));
    }
}
