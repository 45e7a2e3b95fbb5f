using System.Text.Json.Serialization;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Manifests;
using DotnetRemote.Tool.Commands;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Tool.Cli;

/// <summary>Source-generated JSON for <c>--json</c> output (no reflection: the tool stays trimmable).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RemoteListing))]
[JsonSerializable(typeof(IReadOnlyList<EndpointKeyserverEntry>))]
[JsonSerializable(typeof(CredentialExplanation))]
[JsonSerializable(typeof(ApplyManifestResult))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;

/// <summary>docker-credential-helpers' own field names (ServerURL, Username, Secret).</summary>
[JsonSerializable(typeof(CredentialReply))]
internal sealed partial class HelperJsonContext : JsonSerializerContext;

/// <summary>A credential in the docker-credential-helpers shape.</summary>
internal sealed record CredentialReply([property: JsonPropertyName("ServerURL")] string ServerUrl, string Username, string Secret);
