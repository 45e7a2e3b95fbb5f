using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>The single-step tasks: RemoteAdd, RemoteUse, RemoteLogin, RemoteLogout, RemoteList.</summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class RemoteTasksTests : IDisposable
{
    private readonly TaskSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private bool Run(RemoteTask task) => _sandbox.Task(task).Execute();

    private void ApplyCompanyAndRegistry() => Assert.True(Run(new RemoteApply
    {
        Endpoints = [TaskSandbox.Item("company", ("Uri", "https://library.example.com"), ("TokenEnvironmentVariable", "COMPANY_TOKEN"), ("Use", "true"))],
        Logins = [TaskSandbox.Item("docker://registry.example.com", ("Username", "alice"), ("PasswordEnvironmentVariable", "REGISTRY_PASSWORD"))],
        NoVerify = true,
    }));

    [Fact]
    public void RemoteList_outputs_remotes_with_their_metadata_and_the_logins()
    {
        ApplyCompanyAndRegistry();
        var list = _sandbox.Task(new RemoteList());

        Assert.True(list.Execute());

        var company = Assert.Single(list.Remotes, r => r.ItemSpec == "company");
        Assert.Equal(
            ("library.example.com", "True", "False", "False", "False"),
            (company.GetMetadata("Uri"), company.GetMetadata("Active"), company.GetMetadata("Global"), company.GetMetadata("Exclusive"), company.GetMetadata("Insecure")));
        Assert.Contains(list.Remotes, r => r.ItemSpec == "DefaultRemote" && r.GetMetadata("Global") == "True");
        var login = Assert.Single(list.Logins);
        Assert.Equal(("docker://registry.example.com", "False"), (login.ItemSpec, login.GetMetadata("Insecure")));
    }

    [Fact]
    public void Any_exception_is_one_error_with_a_code_and_the_stack_only_in_the_diagnostic_log()
    {
        var list = _sandbox.Task(new RemoteList { ConfigFile = "bad\0path.yaml" });

        Assert.False(list.Execute());

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(RemoteErrorCodes.Failure, error.Code);
        Assert.StartsWith("unexpected error: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(ArgumentException)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error.Message, StringComparison.Ordinal);
        Assert.Contains(_sandbox.Engine.Messages, m => m.Importance == Microsoft.Build.Framework.MessageImportance.Low && m.Message!.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public void RemoteList_of_a_fresh_machine_lists_the_stock_remote_only()
    {
        var list = _sandbox.Task(new RemoteList());

        Assert.True(list.Execute());

        Assert.Equal(["DefaultRemote"], list.Remotes.Select(r => r.ItemSpec));
        Assert.Empty(list.Logins);
    }

    [Fact]
    public void RemoteAdd_then_RemoteUse_makes_the_remote_active()
    {
        Assert.True(Run(new RemoteAdd { Name = "lab", Uri = "https://lab.example.com" }));
        Assert.True(Run(new RemoteUse { Name = "lab" }));

        Assert.StartsWith("Active: lab\n", File.ReadAllText(_sandbox.RemoteYaml), StringComparison.Ordinal);
    }

    [Fact]
    public void RemoteAdd_of_an_existing_remote_is_an_RMT_error()
    {
        Run(new RemoteAdd { Name = "lab", Uri = "https://lab.example.com" });

        Assert.False(Run(new RemoteAdd { Name = "lab", Uri = "https://other.example.com" }));

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(RemoteErrorCodes.RemoteExists, error.Code);
        Assert.Equal("/pipeline/SampleApp.csproj", error.File);
    }

    [Fact]
    public void RemoteUse_of_an_unknown_remote_fails_with_RemoteNotFound()
    {
        Assert.False(Run(new RemoteUse { Name = "nowhere" }));

        Assert.Equal(RemoteErrorCodes.RemoteNotFound, Assert.Single(_sandbox.Engine.Errors).Code);
    }

    [Fact]
    public void RemoteLogin_with_a_missing_variable_fails_with_RMT0061_naming_the_target()
    {
        Assert.False(Run(new RemoteLogin { Target = "docker://registry.example.com", Username = "alice", PasswordEnvironmentVariable = "UNSET_PASSWORD" }));

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(("RMT0061", "RemoteLogin 'docker://registry.example.com': environment variable UNSET_PASSWORD is not set"), (error.Code, error.Message));
        Assert.False(File.Exists(_sandbox.DockerConfig));
    }

    [Fact]
    public void RemoteLogin_checks_what_needs_no_secret_first_in_the_tools_words()
    {
        Assert.False(Run(new RemoteLogin { Target = "docker://registry.example.com", PasswordEnvironmentVariable = "UNSET_PASSWORD" }));

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal((RemoteErrorCodes.InvalidArgument, "while login to docker://registry.example.com: Docker/OCI registry requires a username"), (error.Code, error.Message));
    }

    [Fact]
    public void RemoteLogin_to_a_keyserver_no_remote_lists_fails_before_reading_the_secret()
    {
        Assert.False(Run(new RemoteLogin { Target = "https://keys.example.com", PasswordEnvironmentVariable = "UNSET_PASSWORD" }));

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal((RemoteErrorCodes.KeyserverNotConfigured, "no external keyserver configuration found for https://keys.example.com"), (error.Code, error.Message));
    }

    [Fact]
    public void RemoteLogout_All_removes_logins_and_tokens_and_keeps_the_remotes()
    {
        ApplyCompanyAndRegistry();

        Assert.True(Run(new RemoteLogout { All = true }));

        var yaml = File.ReadAllText(_sandbox.RemoteYaml);
        Assert.DoesNotContain(TaskSandbox.Token, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("Credentials", yaml, StringComparison.Ordinal);
        Assert.Contains("  company:\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("registry.example.com", File.ReadAllText(_sandbox.DockerConfig), StringComparison.Ordinal);
    }
}
