using DotnetRemote.Core.Configuration;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;
using DotnetRemote.Core.Keyservers;

namespace DotnetRemote.Core.Tests.Keyservers;

/// <summary>
/// Network first, then the edit under the lock: add-keyserver and remove-keyserver discover the endpoint's own
/// keyserver before they lock the system file, so a slow server never keeps other writers waiting.
/// </summary>
public sealed class KeyserverNetworkFirstTests : IDisposable
{
    private readonly TestMachine _machine = new();

    public KeyserverNetworkFirstTests() =>
        _machine.WriteSystem(SampleYaml.StockSystem + "  corp:\n    URI: corp.example.com\n    System: true\n    Exclusive: false\n");

    public void Dispose() => _machine.Dispose();

    /// <summary>Tries the system file's lock (as another process would) while each request is in flight.</summary>
    private sealed class LockProbe(TestMachine machine, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<bool> LockFreeDuringRequest { get; } = [];

        public Action? DuringRequest { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                using (ConfigFileLock.Acquire(machine.SystemFile, AtomicFile.PublicFile, TimeSpan.Zero))
                {
                    LockFreeDuringRequest.Add(true);
                }
            }
            catch (RemoteException ex) when (ex.Code == RemoteErrorCodes.ConfigLocked)
            {
                LockFreeDuringRequest.Add(false);
            }

            DuringRequest?.Invoke();
            return base.SendAsync(request, cancellationToken);
        }
    }

    private LockProbe Probe() => new(_machine, new FakeHttpHandler().Discovery("corp.example.com", "https://keys.corp.example.com"));

    [Fact]
    public async Task Add_keyserver_discovers_before_it_locks_the_system_file()
    {
        using var probe = Probe();

        await new AddKeyserver(_machine.Context(isRoot: true, http: probe)).ExecuteAsync(new AddKeyserverOptions("https://pgp.example.com", RemoteName: "corp"));

        Assert.Equal([true], probe.LockFreeDuringRequest);
        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal(["https://keys.corp.example.com", "https://pgp.example.com"], system.Remotes["corp"].Keyservers.Select(k => k.Uri));
    }

    [Fact]
    public async Task Remove_keyserver_discovers_before_it_locks_the_system_file()
    {
        using var probe = Probe();

        var primary = await Assert.ThrowsAsync<RemoteException>(() => new RemoveKeyserver(_machine.Context(isRoot: true, http: probe)).ExecuteAsync(new RemoveKeyserverOptions("https://keys.corp.example.com", RemoteName: "corp")));
        Assert.Equal(RemoteErrorCodes.KeyserverPrimary, primary.Code);
        Assert.Equal([true], probe.LockFreeDuringRequest);
        await new AddKeyserver(_machine.Context(isRoot: true, http: probe)).ExecuteAsync(new AddKeyserverOptions("https://pgp.example.com", RemoteName: "corp"));
        await new RemoveKeyserver(_machine.Context(isRoot: true, http: probe)).ExecuteAsync(new RemoveKeyserverOptions("https://keys.corp.example.com", RemoteName: "corp"));

        Assert.All(probe.LockFreeDuringRequest, Assert.True);
        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal(
            [new KeyserverConfig { Uri = "https://keys.corp.example.com", Skip = true }, new KeyserverConfig { Uri = "https://pgp.example.com", External = true }],
            system.Remotes["corp"].Keyservers);
    }

    [Fact]
    public async Task An_endpoint_moved_by_another_process_during_discovery_is_discovered_again()
    {
        using var probe = new LockProbe(
            _machine,
            new FakeHttpHandler().Discovery("corp.example.com", "https://keys.corp.example.com").Discovery("corp2.example.com", "https://keys.corp2.example.com"));
        var moved = false;
        probe.DuringRequest = () =>
        {
            if (!moved)
            {
                moved = true;
                _machine.WriteSystem(SampleYaml.StockSystem + "  corp:\n    URI: corp2.example.com\n    System: true\n    Exclusive: false\n");
            }
        };

        await new AddKeyserver(_machine.Context(isRoot: true, http: probe)).ExecuteAsync(new AddKeyserverOptions("https://pgp.example.com", RemoteName: "corp"));

        Assert.Equal([true, true], probe.LockFreeDuringRequest);
        var system = RemoteConfigYaml.Parse(_machine.ReadSystem(), _machine.SystemFile);
        Assert.Equal("corp2.example.com", system.Remotes["corp"].Uri);
        Assert.Equal(["https://keys.corp2.example.com", "https://pgp.example.com"], system.Remotes["corp"].Keyservers.Select(k => k.Uri));
    }
}
