using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Core.Remotes;
using DotnetRemote.Tool.Commands;

namespace DotnetRemote.Tool.Cli;

/// <summary>Source-generated JSON for <c>--json</c> output (no reflection: the tool stays trimmable).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ListRemotesResult))]
[JsonSerializable(typeof(IReadOnlyList<EndpointKeyserverEntry>))]
[JsonSerializable(typeof(CredentialExplanation))]
[JsonSerializable(typeof(ApplyManifestResult))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(IReadOnlyList<RegistryLoginInfo>))]
internal sealed partial class ToolJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context every command writes with: output goes to a terminal or a pipe, never into HTML, so quotes, angle
    /// brackets, '+' and non-ASCII text stay as they are (the default encoder writes <c>\u0022</c>, <c>\u003C</c>).
    /// </summary>
    public static ToolJsonContext Output { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>docker-credential-helpers' own field names (ServerURL, Username, Secret).</summary>
[JsonSerializable(typeof(CredentialReply))]
internal sealed partial class HelperJsonContext : JsonSerializerContext
{
    /// <summary>Without needless escaping, as <see cref="ToolJsonContext.Output"/>.</summary>
    public static HelperJsonContext Output { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>A credential in the docker-credential-helpers shape.</summary>
internal sealed record CredentialReply([property: JsonPropertyName("ServerURL")] string ServerUrl, string Username, string Secret);
