using System.Text.Json.Serialization;
using DotnetRemote.Core.Keyservers;
using DotnetRemote.Core.Remotes;

namespace DotnetRemote.Tool.Cli;

/// <summary>Source-generated JSON for <c>--json</c> output (no reflection: the tool stays trimmable).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RemoteListing))]
[JsonSerializable(typeof(IReadOnlyList<EndpointKeyserverEntry>))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
