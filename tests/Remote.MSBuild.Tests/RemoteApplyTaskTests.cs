using DotnetRemote.Core.Diagnostics;
using Microsoft.Build.Framework;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>The <c>RemoteApply</c> task the targets run before Build, on RemoteEndpoint / RemoteLogin / RemoteManifest items.</summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class RemoteApplyTaskTests : IDisposable
{
    private const string RegistryUri = "docker://registry.example.com";

    private readonly TaskSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static ITaskItem CompanyEndpoint(string tokenVariable = "COMPANY_TOKEN") => TaskSandbox.Item(
        "company", ("Uri", "https://library.example.com"), ("TokenEnvironmentVariable", tokenVariable), ("Insecure", "false"), ("Use", "true"));

    private static ITaskItem RegistryLogin(string passwordVariable = "REGISTRY_PASSWORD") => TaskSandbox.Item(
        RegistryUri, ("UsernameEnvironmentVariable", "REGISTRY_USER"), ("PasswordEnvironmentVariable", passwordVariable));

    private RemoteApply Apply(bool dryRun = false, params ITaskItem[] logins) => _sandbox.Task(new RemoteApply
    {
        Endpoints = [CompanyEndpoint()],
        Logins = logins.Length == 0 ? [RegistryLogin()] : logins,
        NoVerify = true,
        DryRun = dryRun,
    });

    [Fact]
    public void With_NoVerify_it_writes_the_remote_its_token_the_active_remote_and_the_login()
    {
        var task = Apply();

        Assert.True(task.Execute());

        Assert.Empty(_sandbox.Engine.Errors);
        Assert.Equal($"""
            Active: company
            Remotes:
              company:
                URI: library.example.com
                Token: {TaskSandbox.Token}
                System: false
                Exclusive: false
            Credentials:
            - URI: {RegistryUri}
              Insecure: false

            """, File.ReadAllText(_sandbox.RemoteYaml));
        Assert.Contains("\"registry.example.com\"", File.ReadAllText(_sandbox.DockerConfig), StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_are_output_items_and_high_importance_messages_without_secrets()
    {
        var task = Apply();

        task.Execute();

        Assert.Equal(
            ["remote company add", "token company store", "active company update", $"login {RegistryUri} store"],
            task.Changes.Select(c => $"{c.GetMetadata("Kind")} {c.ItemSpec} {c.GetMetadata("Action")}"));
        Assert.Contains(_sandbox.Engine.Messages, m => m.Importance == MessageImportance.High && m.Message == "dotnet remote: remote company: add (library.example.com)");
        AssertNoSecretLogged();
    }

    [Fact]
    public void A_second_run_is_all_unchanged_and_logs_no_change()
    {
        Apply().Execute();
        var before = File.ReadAllBytes(_sandbox.RemoteYaml);
        _sandbox.Engine.Messages.Clear();

        var second = Apply();
        Assert.True(second.Execute());

        Assert.All(second.Changes, change => Assert.Equal("unchanged", change.GetMetadata("Action")));
        Assert.DoesNotContain(_sandbox.Engine.Messages, m => m.Message!.StartsWith("dotnet remote:", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(_sandbox.RemoteYaml));
    }

    [Fact]
    public void DryRun_outputs_the_plan_and_writes_nothing()
    {
        var task = Apply(dryRun: true);

        Assert.True(task.Execute());

        Assert.Equal(4, task.Changes.Length);
        Assert.Contains(_sandbox.Engine.Messages, m => m.Message == "dotnet remote: remote company: add (library.example.com) [dry run]");
        Assert.False(File.Exists(_sandbox.RemoteYaml));
        Assert.False(File.Exists(_sandbox.DockerConfig));
    }

    [Fact]
    public void A_missing_variable_fails_with_RMT0061_naming_the_item_and_writes_nothing()
    {
        _sandbox.SetVariable("CI", "true");
        _sandbox.SetVariable("REGISTRY_PASSWORD", null);
        var task = Apply();

        Assert.False(task.Execute());

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(RemoteErrorCodes.ManifestVariableMissing, error.Code);
        Assert.Equal("RMT0061", error.Code);
        Assert.Equal($"RemoteLogin '{RegistryUri}': environment variable REGISTRY_PASSWORD is not set", error.Message);
        Assert.Equal("/pipeline/SampleApp.csproj", error.File);
        Assert.False(File.Exists(_sandbox.RemoteYaml));
        AssertNoSecretLogged();
    }

    [Fact]
    public void A_missing_token_variable_names_the_endpoint_item()
    {
        _sandbox.SetVariable("CI", "true");
        var task = _sandbox.Task(new RemoteApply { Endpoints = [CompanyEndpoint("UNSET_COMPANY_TOKEN")], NoVerify = true });

        Assert.False(task.Execute());

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(("RMT0061", "RemoteEndpoint 'company': environment variable UNSET_COMPANY_TOKEN is not set"), (error.Code, error.Message));
    }

    [Fact]
    public void An_endpoint_without_Uri_is_RMT0060()
    {
        var task = _sandbox.Task(new RemoteApply { Endpoints = [TaskSandbox.Item("company")], NoVerify = true });

        Assert.False(task.Execute());

        var error = Assert.Single(_sandbox.Engine.Errors);
        Assert.Equal(("RMT0060", "RemoteEndpoint 'company': metadata Uri is required"), (error.Code, error.Message));
    }

    [Fact]
    public void A_keyserver_item_joins_its_remote()
    {
        var task = _sandbox.Task(new RemoteApply
        {
            Endpoints = [CompanyEndpoint()],
            Keyservers = [TaskSandbox.Item("https://keys.example.com", ("Remote", "company"), ("Order", "1"))],
            NoVerify = true,
        });

        Assert.True(task.Execute());

        Assert.Contains("    Keyservers:\n    - URI: https://keys.example.com\n", File.ReadAllText(_sandbox.RemoteYaml), StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_item_is_applied_with_the_other_items_in_one_step()
    {
        var manifest = Path.Combine(_sandbox.Root, "remotes.yaml");
        File.WriteAllText(manifest, "remotes:\n  other:\n    uri: https://other.example.com\n    token: ${env:COMPANY_TOKEN}\n");
        var task = _sandbox.Task(new RemoteApply
        {
            Endpoints = [CompanyEndpoint()],
            Manifests = [TaskSandbox.Item(manifest)],
            NoVerify = true,
        });

        Assert.True(task.Execute());

        var yaml = File.ReadAllText(_sandbox.RemoteYaml);
        Assert.Contains("  company:\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  other:\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void On_GitHub_Actions_the_mask_lines_go_to_the_console_and_never_to_the_build_log()
    {
        _sandbox.SetVariable("GITHUB_ACTIONS", "true");
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        try
        {
            Assert.True(Apply().Execute());
        }
        finally
        {
            Console.SetOut(original);
        }

        // The user name is read from UsernameEnvironmentVariable: a value from the environment is masked too (issue 9).
        Assert.Equal(
            [$"::add-mask::{TaskSandbox.Token}", $"::add-mask::{TaskSandbox.RegistryUser}", $"::add-mask::{TaskSandbox.RegistryPassword}"],
            console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertNoSecretLogged();
    }

    private void AssertNoSecretLogged()
    {
        foreach (var text in _sandbox.Engine.LogText)
        {
            Assert.DoesNotContain(TaskSandbox.Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TaskSandbox.RegistryPassword, text, StringComparison.Ordinal);
        }
    }
}
