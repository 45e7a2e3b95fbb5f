using System.Diagnostics;
using System.Text;
using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Credentials;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Endpoints;
using DotnetRemote.Core.IO;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Registries;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Core.Tests.Hostile;

/// <summary>Every input issue 9 saw crash the tool, secret references, temp files and the apply journal.</summary>
public sealed class HostileInputRegressionTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public void Dispose() => _machine.Dispose();

    private string DockerConfig => Path.Combine(_machine.ConfigDir, "docker-config.json");

    [Theory]
    [InlineData("Bearer realm=\"https://auth.example.com/token")]
    [InlineData("Bearer realm=\"")]
    [InlineData("Basic realm=\"a\\")]
    [InlineData("Bearer realm=\"x\", service=\"")]
    public void An_unclosed_quote_in_www_authenticate_ends_the_value(string header)
    {
        var challenge = Assert.Single(AuthChallenge.Parse(header));

        Assert.NotNull(challenge["realm"]);
    }

    [Fact]
    public void Docker_config_with_invalid_utf8_is_an_error_naming_the_file_and_line()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllBytes(DockerConfig, [.. "{\n\"auths\":{\"a"u8, 0xFF, .. "\":{}}}"u8]);

        var error = Assert.Throws<ConfigFileException>(() => DockerConfigFile.Load(DockerConfig));

        Assert.Equal($"{DockerConfig}:2: invalid JSON: the file is not valid UTF-8", error.Message);
    }

    [Theory]
    [InlineData("{\"auths\":{\"a\":{},\"a\":{}}}")]
    [InlineData("{\"auths\":{\"a\":{\"auth\":\"x\",\"auth\":\"y\"}}}")]
    [InlineData("{\"auths\":{},\"auths\":{}}")]
    [InlineData("{\"auths\":{\"\\ud800\":{}}}")]
    public async Task Docker_config_with_a_duplicate_key_or_bad_escape_fails_every_reader_with_the_file_name(string json)
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        File.WriteAllText(DockerConfig, json);
        var context = _machine.Context();
        var reference = RegistryReference.ParseRegistry("docker://a");

        var load = Assert.Throws<ConfigFileException>(() => DockerConfigFile.Load(DockerConfig));
        var find = await Assert.ThrowsAsync<ConfigFileException>(() => new DockerCredentialStore(context, DockerConfig).FindAsync(reference));
        var store = await Assert.ThrowsAsync<ConfigFileException>(() => new DockerCredentialStore(context, DockerConfig).StoreAsync(reference, "u", "p"));
        using var helperOutput = new StringWriter();
        var helper = await new CredentialHelperProtocol(context).ServeAsync("get", new StringReader("a"), helperOutput);

        Assert.All([load, find, store], e => Assert.StartsWith($"{DockerConfig}: invalid JSON: ", e.Message, StringComparison.Ordinal));
        Assert.Equal(1, helper);
        Assert.StartsWith($"{DockerConfig}: invalid JSON: ", helperOutput.ToString(), StringComparison.Ordinal);
        Assert.Equal(json, File.ReadAllText(DockerConfig));
    }

    [Fact]
    public async Task A_duplicate_key_in_helper_store_input_is_refused_without_echoing_it()
    {
        using var output = new StringWriter();

        var code = await new CredentialHelperProtocol(_machine.Context()).ServeAsync("store", new StringReader("""{"ServerURL":"a.example.com","ServerURL":"b.example.com","Secret":"hunter2"}"""), output);

        Assert.Equal((1, "store expects a JSON object on stdin\n"), (code, output.ToString()));
        Assert.False(File.Exists(DockerConfig));
    }

    [Fact]
    public async Task Helper_erase_given_a_store_request_does_not_print_its_secret()
    {
        using var output = new StringWriter();

        var code = await new CredentialHelperProtocol(_machine.Context()).ServeAsync("erase", new StringReader("""{"ServerURL":"registry.example.com","Username":"u","Secret":"hunter2"}"""), output);

        Assert.Equal(1, code);
        Assert.DoesNotContain("hunter2", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid server URL \"...\": expected host[:port][/namespace] or https://host\n", output.ToString());
    }

    [Fact]
    public async Task Helper_input_is_bounded()
    {
        using var output = new StringWriter();
        var huge = new string('a', 10 * 1024 * 1024);

        var code = await new CredentialHelperProtocol(_machine.Context()).ServeAsync("get", new StringReader(huge), output);

        Assert.Equal((1, "the input is larger than 64 KB\n"), (code, output.ToString()));
    }

    [Theory]
    [InlineData("""{"libraryAPI":{"uri":"not a url"}}""")]
    [InlineData("""{"tokenAPI":{"uri":"/relative/path"}}""")]
    [InlineData("""{"tokenAPI":{"uri":"https://h:99999/"}}""")]
    [InlineData("""{"tokenAPI":{"uri":"file:///etc/passwd"}}""")]
    [InlineData("""{"tokenAPI":{"uri":"http://[::1"}}""")]
    public void A_service_url_that_is_not_an_absolute_http_url_is_the_servers_fault(string document)
    {
        var error = Assert.Throws<RemoteException>(() => ServiceDiscovery.ParseServices(document, "library.example.com"));

        Assert.Equal(RemoteErrorCodes.DiscoveryFailed, error.Code);
        Assert.Contains("library.example.com", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://h.example.com:99999")]
    [InlineData("h.example.com:65536/x")]
    [InlineData("h.example.com:-1")]
    [InlineData("h.example.com:abc")]
    [InlineData("h .example.com")]
    public async Task Add_refuses_an_out_of_range_port_or_bad_host(string uri)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new AddRemote(_machine.Context()).ExecuteAsync(new AddRemoteOptions("r", uri)));

        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
        Assert.False(File.Exists(_machine.UserFile));
    }

    [Fact]
    public async Task A_stored_bad_port_makes_status_fail_with_a_message()
    {
        _machine.WriteUser("Active: p\nRemotes:\n  p:\n    URI: h.example.com:99999\n");

        var error = await Assert.ThrowsAsync<RemoteException>(() => new GetRemoteStatus(_machine.Context()).ExecuteAsync(new GetRemoteStatusOptions("p")));

        Assert.Contains("h.example.com:99999", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    public async Task Credential_get_of_an_empty_uri_is_an_engine_error(string uri)
    {
        var error = await Assert.ThrowsAsync<RemoteException>(() => new CredentialResolver(_machine.Context()).ResolveAsync(uri));

        Assert.Equal(RemoteErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public void File_references_to_devices_and_big_files_are_refused_without_reading_them()
    {
        var big = Path.Combine(_machine.Root, "big");
        File.WriteAllBytes(big, new byte[SecretReferences.MaxFileBytes + 1]);
        var references = new SecretReferences(_ => null, _machine.Root);

        var zero = Assert.Throws<RemoteException>(() => references.Expand("${file:/dev/zero}", "m.yaml", 3));
        var large = Assert.Throws<RemoteException>(() => references.Expand($"${{file:{big}}}", "m.yaml", 4));
        var folder = Assert.Throws<RemoteException>(() => references.Expand($"${{file:{_machine.Root}}}", "m.yaml", 5));

        Assert.Equal("m.yaml:3: cannot read /dev/zero: not a regular file", zero.Message);
        Assert.Equal($"m.yaml:4: cannot read {big}: larger than 64 KB", large.Message);
        Assert.Equal($"m.yaml:5: cannot read {_machine.Root}: not a regular file", folder.Message);
    }

    [SkippableFact]
    public void A_fifo_reference_is_refused_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo");
        var fifo = Path.Combine(_machine.Root, "fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<RemoteException>(() => new SecretReferences(_ => null, _machine.Root).Expand("${file:fifo}", "m.yaml", 2));

        Assert.Equal($"m.yaml:2: cannot read {fifo}: not a regular file", error.Message);
        Assert.True(watch.Elapsed < SecretReferences.FileReadTimeout, "a fifo without writer must not block");
    }

    [Fact]
    public void A_file_reference_in_a_uri_field_is_refused_and_names_only_the_reference()
    {
        var secretFile = Path.Combine(_machine.Root, "shadow");
        File.WriteAllText(secretFile, "root:secret-hash");

        var error = Assert.Throws<RemoteException>(() => ManifestReader.Parse($"logins:\n  - uri: docker://${{file:{secretFile}}}\n    username: u\n    password: p\n", "/p/m.yaml", _ => null));

        Assert.Equal("/p/m.yaml:2: ${file:...} is not allowed in a uri field (use ${env:...})", error.Message);
    }

    [Fact]
    public async Task Referenced_values_are_masked_in_errors_and_plans_whatever_field_they_fill()
    {
        var environ = Path.Combine(_machine.Root, "environ");
        File.WriteAllText(environ, "CI_SECRET=s3cr3t-value");
        var variables = new Dictionary<string, string> { ["HOST"] = "reg.example.com:99999x", ["GOODHOST"] = "reg.example.com", ["PW"] = "pw-value" };
        var bad = ManifestReader.Parse("logins:\n  - uri: docker://${env:HOST}\n    username: u\n    password: ${env:PW}\n", "/p/m.yaml", variables.GetValueOrDefault);
        var good = ManifestReader.Parse($"logins:\n  - uri: docker://${{env:GOODHOST}}\n    username: ${{file:{environ}}}\n    password: ${{env:PW}}\n", "/p/m.yaml", variables.GetValueOrDefault);

        var error = await Assert.ThrowsAsync<RemoteException>(() => new ApplyManifest(_machine.Context()).ExecuteAsync(new ApplyManifestOptions(bad, NoVerify: true)));
        var plan = await new ApplyManifest(_machine.Context()).ExecuteAsync(new ApplyManifestOptions(good, DryRun: true, NoVerify: true));

        Assert.DoesNotContain("99999x", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker://***", error.Message, StringComparison.Ordinal);
        var login = Assert.Single(plan.Changes);
        Assert.Equal(("docker://***", "***"), (login.Target, login.Detail));
        Assert.Contains("CI_SECRET=s3cr3t-value", good.Secrets);
        Assert.Contains("reg.example.com", good.Secrets);
        Assert.Contains("::add-mask::CI_SECRET=s3cr3t-value", CiSecretMasking.Commands(good.Secrets, name => name == "GITHUB_ACTIONS" ? "true" : null));
    }

    [Fact]
    public async Task Temp_files_of_a_dead_writer_are_swept_by_the_next_write()
    {
        _machine.WriteUser(SampleYaml.StockSystem);
        var leftover = Path.Combine(_machine.ConfigDir, $".remote.yaml.99999.{Guid.NewGuid():N}.tmp");
        var other = Path.Combine(_machine.ConfigDir, ".remote.yaml.notours.tmp");
        File.WriteAllText(leftover, "Token: secret");
        File.WriteAllText(other, "kept");

        await new RemoteConfigStore(_machine.Context()).UpdateUserAsync(merged: false, config => config.Active = "x");

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public async Task Logout_all_sweeps_temp_files_beside_both_files()
    {
        _machine.WriteUser(SampleYaml.StockSystem);
        var leftovers = new[]
        {
            Path.Combine(_machine.ConfigDir, $".remote.yaml.123.{Guid.NewGuid():N}.tmp"),
            Path.Combine(_machine.ConfigDir, $".docker-config.json.456.{Guid.NewGuid():N}.tmp"),
        };
        foreach (var file in leftovers)
        {
            File.WriteAllText(file, "{\"auths\":{\"r\":{\"auth\":\"c2VjcmV0\"}}}");
        }

        await new LogoutAll(_machine.Context()).ExecuteAsync(new LogoutAllOptions());

        Assert.All(leftovers, file => Assert.False(File.Exists(file), file));
    }

    [Fact]
    public void A_write_that_fails_leaves_no_temp_file()
    {
        Directory.CreateDirectory(_machine.ConfigDir);
        var target = Path.Combine(_machine.ConfigDir, "folder-in-the-way");
        Directory.CreateDirectory(target);

        Assert.Throws<RemoteException>(() => AtomicFile.WriteAllText(target, "secret", AtomicFile.PrivateFile));

        Assert.DoesNotContain(Directory.GetFiles(_machine.ConfigDir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_symlinked_lock_is_refused_and_its_target_is_not_created()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "O_NOFOLLOW");
        _machine.WriteUser(SampleYaml.StockSystem);
        var victim = Path.Combine(_machine.Root, "victim");
        File.CreateSymbolicLink(_machine.UserFile + ".lock", victim);

        var error = Assert.Throws<RemoteException>(() => ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile));

        Assert.Equal(RemoteErrorCodes.ConfigUnsafe, error.Code);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(victim));
    }

    [SkippableFact]
    public void A_pre_created_world_writable_lock_gets_the_private_mode()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "modes");
        _machine.WriteUser(SampleYaml.StockSystem);
        File.WriteAllText(_machine.UserFile + ".lock", "");
        File.SetUnixFileMode(_machine.UserFile + ".lock", (UnixFileMode)0b110_110_110);

        using (ConfigFileLock.Acquire(_machine.UserFile, AtomicFile.PrivateFile))
        {
        }

        Assert.Equal(AtomicFile.PrivateFile, File.GetUnixFileMode(_machine.UserFile + ".lock"));
    }

    [SkippableFact]
    public void A_world_readable_docker_config_is_fixed_with_a_warning()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "modes");
        _machine.WriteUser(SampleYaml.StockSystem);
        File.WriteAllText(DockerConfig, "{\"auths\":{}}");
        File.SetUnixFileMode(DockerConfig, (UnixFileMode)0b110_100_100);
        var log = new RecordingLog();

        new RemoteConfigStore(_machine.Context(log: log)).LoadUser();

        Assert.Equal(AtomicFile.PrivateFile, File.GetUnixFileMode(DockerConfig));
        Assert.Contains($"WARNING: File mode (644) on {DockerConfig} needs to be 600, fixing that...", log.Lines);
    }

    [SkippableFact]
    public void A_system_file_writable_by_others_is_reported_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "modes");
        _machine.WriteSystem(SampleYaml.StockSystem);
        File.SetUnixFileMode(_machine.SystemFile, (UnixFileMode)0b110_110_110);
        var log = new RecordingLog();
        var store = new RemoteConfigStore(_machine.Context(log: log));

        store.LoadMerged();
        store.LoadMerged();

        var warning = Assert.Single(log.Lines, line => line.StartsWith("WARNING: ", StringComparison.Ordinal));
        Assert.Contains(_machine.SystemFile, warning, StringComparison.Ordinal);
        Assert.Contains("mode 666", warning, StringComparison.Ordinal);
        Assert.Contains("decides where every user's tokens", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_committed_journal_is_rolled_forward_by_the_next_reader_and_an_uncommitted_one_dropped()
    {
        _machine.WriteUser(SampleYaml.StockSystem);
        File.WriteAllText(DockerConfig, "{\"auths\":{}}\n");
        var newUser = SampleYaml.StockSystem.Replace("DefaultRemote:", "Rolled:", StringComparison.Ordinal);
        const string newDocker = "{\"auths\":{\"r.example.com\":{\"auth\":\"dTpw\"}}}\n";
        var id = Guid.NewGuid().ToString("N");
        var marker = Path.Combine(_machine.ConfigDir, $".dotnet-remote-commit.{id}");
        WriteJournal(_machine.UserFile, id, marker, FileJournal.JournalPath(DockerConfig), newUser);
        WriteJournal(DockerConfig, id, marker, FileJournal.JournalPath(_machine.UserFile), newDocker);

        // Not committed (no marker): the old state stays and the journals go.
        Assert.Equal(SampleYaml.StockSystem, RemoteConfigYaml.Write(new RemoteConfigStore(_machine.Context()).LoadUser()));
        Assert.Empty(DockerConfigFile.Load(DockerConfig).Keys);
        Assert.False(File.Exists(FileJournal.JournalPath(_machine.UserFile)));

        // Committed: each reader rolls its own file forward; the marker goes with the last journal.
        WriteJournal(_machine.UserFile, id, marker, FileJournal.JournalPath(DockerConfig), newUser);
        WriteJournal(DockerConfig, id, marker, FileJournal.JournalPath(_machine.UserFile), newDocker);
        File.WriteAllText(marker, id + "\n");

        Assert.Equal(["r.example.com"], DockerConfigFile.Load(DockerConfig).Keys);
        Assert.True(new RemoteConfigStore(_machine.Context()).LoadUser().Remotes.ContainsKey("Rolled"));
        Assert.Empty(Directory.GetFiles(_machine.ConfigDir, ".*journal"));
        Assert.False(File.Exists(marker));
    }

    private static void WriteJournal(string path, string id, string marker, string partner, string content) =>
        File.WriteAllText(FileJournal.JournalPath(path), $"dotnet-remote journal 1\n{id}\n{marker}\n600\n{partner}\n{content}", new UTF8Encoding(false));
}
