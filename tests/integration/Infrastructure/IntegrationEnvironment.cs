using System.Net;
using System.Net.Sockets;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// Decides whether the integration tests can run here. Without a Docker engine or the test host names, tests
/// skip with one reason; with <c>CI=true</c> they fail instead. Also sets the environment Testcontainers 4.16
/// needs on Debian's Docker 20.10 when the caller did not (API 1.41, no Ryuk, host 127.0.0.1).
/// </summary>
public static class IntegrationEnvironment
{
    /// <summary>Host names the setup step (eng/setup-test-env.sh) maps to loopback aliases.</summary>
    public static IReadOnlyDictionary<string, IPAddress> HostNames { get; } = new Dictionary<string, IPAddress>
    {
        ["registry-a.test"] = IPAddress.Parse("127.0.0.2"),
        ["registry-b.test"] = IPAddress.Parse("127.0.0.3"),
        ["keys.test"] = IPAddress.Parse("127.0.0.4"),
        ["library.test"] = IPAddress.Parse("127.0.0.5"),
    };

    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the tests can run, else the reason why not.</summary>
    public static Task<string?> UnavailableReasonAsync() => Probe.Value;

    /// <summary>Call first in every integration test: skips (or, under CI=true, fails) when the environment is missing.</summary>
    public static async Task EnsureAvailableAsync()
    {
        var reason = await Probe.Value;
        if (reason is null)
        {
            return;
        }
        if (IsCi)
        {
            Assert.Fail($"CI=true and the integration environment is missing: {reason}");
        }
        Skip.If(true, reason);
    }

    private static async Task<string?> ProbeAsync()
    {
        const string Fix = "run `sudo bash eng/setup-test-env.sh` first";
        string? apiVersion;
        if (!File.Exists(DockerEngine.SocketPath))
        {
            return $"no Docker engine: {DockerEngine.SocketPath} does not exist; {Fix}";
        }
        try
        {
            apiVersion = await DockerEngine.PingAsync();
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            return $"no Docker engine answers on {DockerEngine.SocketPath} ({e.Message}); {Fix}";
        }
        foreach (var (name, expected) in HostNames)
        {
            IPAddress[] addresses;
            try
            {
                addresses = await Dns.GetHostAddressesAsync(name);
            }
            catch (SocketException)
            {
                addresses = [];
            }
            if (!addresses.Contains(expected))
            {
                return $"host name {name} does not resolve to {expected} (/etc/hosts); {Fix}";
            }
        }
        // Testcontainers 4.16 speaks a newer API than Debian's Docker 20.10 (max 1.41) accepts.
        if (Version.TryParse(apiVersion, out var max) && max < new Version(1, 44))
        {
            SetDefault("DOCKER_API_VERSION", apiVersion!);
        }
        SetDefault("TESTCONTAINERS_RYUK_DISABLED", "true");
        SetDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        return null;
    }

    private static void SetDefault(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
