using DotnetRemote.Core.Configuration;

namespace DotnetRemote.Core.Tests.Configuration;

/// <summary>docs/compatibility.md#merge (rules 1–5) and its fixes #fix-exclusive-shadowing, #fix-stale-system-copies (exclusive not bypassable, no piled-up copies).</summary>
public class ConfigMergeTests
{
    private readonly RecordingLog _log = new();

    [Fact]
    public void Rule_1_a_user_remote_with_a_system_name_wins_and_is_reported()
    {
        var user = Config(("shared", new EndpointConfig { Uri = "mine.example.com", Token = "t" }));
        var system = Config(("shared", new EndpointConfig { Uri = "theirs.example.com", System = true }));

        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        Assert.Equal("mine.example.com", merged.Remotes["shared"].Uri);
        Assert.False(merged.Remotes["shared"].System);
        Assert.Equal("t", merged.Remotes["shared"].Token);
        Assert.Equal(["INFO:    shared defined both globally and individually, using individual"], _log.Lines);
    }

    [Fact]
    public void Rule_2_a_stored_system_copy_is_refreshed_and_keeps_its_token()
    {
        var user = Config(("corp", new EndpointConfig { Uri = "old.example.com", System = true, Token = "secret" }));
        var source = new EndpointConfig { Uri = "new.example.com", System = true, Token = "system-token" };
        source.Keyservers.Add(new KeyserverConfig { Uri = "https://keys.new.example.com" });
        var system = Config(("corp", source));

        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        var corp = merged.Remotes["corp"];
        Assert.Equal("new.example.com", corp.Uri);
        Assert.True(corp.System);
        Assert.Equal("secret", corp.Token);
        Assert.Equal("https://keys.new.example.com", Assert.Single(corp.Keyservers).Uri);
        Assert.Empty(_log.Lines);
    }

    [Fact]
    public void Rule_3_a_missing_system_remote_is_added_without_its_token()
    {
        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true, Token = "system-token" }));

        var merged = ConfigMerge.Merge(new RemoteConfig(), system).LogTo(_log);

        var corp = merged.Remotes["corp"];
        Assert.Equal(("corp.example.com", "", true, false), (corp.Uri, corp.Token, corp.System, corp.Exclusive));
    }

    [Fact]
    public void Rule_3_an_http_only_system_remote_keeps_its_insecure_flag()
    {
        // Apptainer drops Insecure here (docs/compatibility.md#fix-system-insecure); we copy it so an http-only remote stays usable.
        var system = Config(("lab", new EndpointConfig { Uri = "lab.internal", System = true, Insecure = true }));

        var merged = ConfigMerge.Merge(new RemoteConfig(), system).LogTo(_log);

        Assert.True(merged.Remotes["lab"].Insecure);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rules_2_and_3_an_exclusive_system_remote_becomes_active(bool storedCopy)
    {
        var user = Config(("mine", new EndpointConfig { Uri = "mine.example.com" }));
        user.Active = "mine";
        if (storedCopy)
        {
            user.Remotes["corp"] = new EndpointConfig { Uri = "corp.example.com", System = true };
        }

        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true, Exclusive = true }));

        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        Assert.Equal("corp", merged.Active);
        Assert.True(merged.Remotes["corp"].Exclusive);
    }

    [Fact]
    public void Rule_4_an_empty_user_active_takes_the_system_active()
    {
        var system = Config(("DefaultRemote", new EndpointConfig { Uri = "cloud.apptainer.org", System = true }));
        system.Active = "DefaultRemote";

        Assert.Equal("DefaultRemote", ConfigMerge.Merge(new RemoteConfig(), system).LogTo(_log).Active);
    }

    [Fact]
    public void Rule_4_a_user_active_is_kept()
    {
        var user = Config(("mine", new EndpointConfig { Uri = "mine.example.com" }));
        user.Active = "mine";
        var system = Config(("DefaultRemote", new EndpointConfig { Uri = "cloud.apptainer.org", System = true }));
        system.Active = "DefaultRemote";

        Assert.Equal("mine", ConfigMerge.Merge(user, system).LogTo(_log).Active);
    }

    [Fact]
    public void Rule_5_system_credentials_are_never_merged()
    {
        var user = new RemoteConfig();
        user.Credentials.Add(new CredentialConfig { Uri = "docker://docker.io" });
        var system = new RemoteConfig();
        system.Credentials.Add(new CredentialConfig { Uri = "https://keys.example.com", Auth = "Basic eDp5" });

        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        Assert.Equal("docker://docker.io", Assert.Single(merged.Credentials).Uri);
    }

    [Fact]
    public void Merging_does_not_change_its_inputs()
    {
        var user = Config(("mine", new EndpointConfig { Uri = "mine.example.com" }));
        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true, Exclusive = true }));
        var userBefore = RemoteConfigYaml.Write(user);
        var systemBefore = RemoteConfigYaml.Write(system);

        _ = ConfigMerge.Merge(user, system).LogTo(_log);

        Assert.Equal(userBefore, RemoteConfigYaml.Write(user));
        Assert.Equal(systemBefore, RemoteConfigYaml.Write(system));
    }

    [Fact]
    public void Fix_an_exclusive_system_remote_cannot_be_bypassed_by_a_user_remote_of_the_same_name()
    {
        var user = Config(("corp", new EndpointConfig { Uri = "evil.example.com", Token = "user-token" }));
        user.Active = "corp";
        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true, Exclusive = true }));

        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        var corp = merged.Remotes["corp"];
        Assert.Equal(("corp.example.com", true, true, ""), (corp.Uri, corp.System, corp.Exclusive, corp.Token));
        Assert.Equal("corp", merged.Active);
        Assert.Contains(_log.Lines, l => l.StartsWith("WARNING: corp is set exclusive by the system administrator", StringComparison.Ordinal));
    }

    [Fact]
    public void Fix_several_exclusive_system_remotes_resolve_to_the_first_by_name()
    {
        var system = Config(
            ("zeta", new EndpointConfig { Uri = "z.example.com", System = true, Exclusive = true }),
            ("alpha", new EndpointConfig { Uri = "a.example.com", System = true, Exclusive = true }));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("alpha", ConfigMerge.Merge(new RemoteConfig(), system).LogTo(_log).Active);
        }
    }

    [Fact]
    public void User_part_drops_untouched_system_copies_so_they_do_not_pile_up_in_user_files()
    {
        var user = Config(("mine", new EndpointConfig { Uri = "mine.example.com" }));
        var system = Config(("DefaultRemote", new EndpointConfig { Uri = "cloud.apptainer.org", System = true }));
        var merged = ConfigMerge.Merge(user, system).LogTo(_log);
        merged.Active = "mine";

        var part = ConfigMerge.UserPart(merged, user);

        Assert.Equal(["mine"], part.Remotes.Keys);
        Assert.Equal("mine", part.Active);
    }

    [Fact]
    public void User_part_keeps_a_system_copy_that_holds_the_users_token()
    {
        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true }));
        var merged = ConfigMerge.Merge(new RemoteConfig(), system).LogTo(_log);
        merged.Remotes["corp"].Token = "user-token";

        var part = ConfigMerge.UserPart(merged, new RemoteConfig());

        Assert.Equal("user-token", part.Remotes["corp"].Token);
        Assert.True(part.Remotes["corp"].System);
    }

    [Fact]
    public void User_part_keeps_the_users_own_remote_that_an_exclusive_system_remote_shadowed()
    {
        var user = Config(("corp", new EndpointConfig { Uri = "mine.example.com", Token = "user-token" }));
        var system = Config(("corp", new EndpointConfig { Uri = "corp.example.com", System = true, Exclusive = true }));
        var merged = ConfigMerge.Merge(user, system).LogTo(_log);

        var part = ConfigMerge.UserPart(merged, user);

        Assert.Equal(("mine.example.com", "user-token", false), (part.Remotes["corp"].Uri, part.Remotes["corp"].Token, part.Remotes["corp"].System));
    }

    private static RemoteConfig Config(params (string Name, EndpointConfig Endpoint)[] remotes)
    {
        var config = new RemoteConfig();
        foreach (var (name, endpoint) in remotes)
        {
            config.Remotes[name] = endpoint;
        }

        return config;
    }
}
