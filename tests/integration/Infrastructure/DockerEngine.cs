using System.Net;
using System.Net.Sockets;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>Minimal Docker Engine API client over the unix socket: just what the harness needs before Testcontainers.</summary>
internal static class DockerEngine
{
    /// <summary>The engine socket: DOCKER_HOST when it is a unix:// address, else /var/run/docker.sock.</summary>
    public static string SocketPath { get; } =
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { } host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : "/var/run/docker.sock";

    private static readonly Lazy<HttpClient> Client = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://docker/"),
        Timeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>GET /_ping; returns the engine's maximum API version, or throws.</summary>
    public static async Task<string?> PingAsync()
    {
        using var response = await Client.Value.GetAsync("_ping");
        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues("API-Version", out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>Removes the other tags of <paramref name="repository"/> (older builds); images in use are left alone.</summary>
    public static async Task RemoveOtherTagsAsync(string repository, string keep)
    {
        var filter = Uri.EscapeDataString($$"""{"reference":["{{repository}}"]}""");
        using var response = await Client.Value.GetAsync($"images/json?filters={filter}");
        if (!response.IsSuccessStatusCode)
        {
            return;
        }
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var image in json.RootElement.EnumerateArray())
        {
            if (!image.TryGetProperty("RepoTags", out var tags) || tags.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                continue;
            }
            foreach (var tag in tags.EnumerateArray().Select(t => t.GetString()))
            {
                if (tag is not null && tag != keep && tag.StartsWith(repository + ":", StringComparison.Ordinal))
                {
                    // No force: an image a running container uses answers 409 and stays.
                    using var _ = await Client.Value.DeleteAsync($"images/{Uri.EscapeDataString(tag)}");
                }
            }
        }
    }

    public static async Task<bool> ImageExistsAsync(string image)
    {
        using var response = await Client.Value.GetAsync($"images/{Uri.EscapeDataString(image)}/json");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        response.EnsureSuccessStatusCode();
        return true;
    }
}
