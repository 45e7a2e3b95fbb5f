using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Reads and writes remote.yaml with YamlDotNet's event parser (no reflection, AOT-safe). Reading is as strict as
/// Apptainer's decoder: an unknown or repeated key is an error naming its line, because a file Apptainer rejects
/// must not be accepted (and later rewritten) here. Writing uses the seed-era layout (2 spaces, indentless lists).
/// </summary>
public static partial class RemoteConfigYaml
{
    public static RemoteConfig Parse(string text, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return new Reader(new Parser(new StringReader(text)), filePath).ReadDocument();
        }
        catch (YamlException ex)
        {
            throw new ConfigFileException(filePath, (int)ex.Start.Line, "invalid YAML: " + PositionPrefix().Replace(ex.Message, ""), ex);
        }
    }

    public static string Write(RemoteConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var yaml = new StringBuilder();
        yaml.Append("Active: ").Append(YamlScalars.Quote(config.Active)).Append('\n');
        if (config.Remotes.Count == 0)
        {
            yaml.Append("Remotes: {}\n");
        }
        else
        {
            yaml.Append("Remotes:\n");
            foreach (var name in config.Remotes.Keys.Order(NaturalOrderComparer.Instance))
            {
                var endpoint = config.Remotes[name];
                yaml.Append("  ").Append(YamlScalars.Quote(name)).Append(":\n");
                AppendIfSet(yaml, "    URI", endpoint.Uri);
                AppendIfSet(yaml, "    Token", endpoint.Token);
                AppendBool(yaml, "    System", endpoint.System);
                AppendBool(yaml, "    Exclusive", endpoint.Exclusive);
                if (endpoint.Insecure)
                {
                    AppendBool(yaml, "    Insecure", true);
                }

                if (endpoint.Keyservers.Count > 0)
                {
                    yaml.Append("    Keyservers:\n");
                    foreach (var keyserver in endpoint.Keyservers)
                    {
                        yaml.Append("    - URI: ").Append(YamlScalars.Quote(keyserver.Uri)).Append('\n');
                        AppendBool(yaml, "      Skip", keyserver.Skip);
                        AppendBool(yaml, "      External", keyserver.External);
                        AppendBool(yaml, "      Insecure", keyserver.Insecure);
                    }
                }
            }
        }

        if (config.Credentials.Count > 0)
        {
            yaml.Append("Credentials:\n");
            foreach (var credential in config.Credentials)
            {
                yaml.Append("- URI: ").Append(YamlScalars.Quote(credential.Uri)).Append('\n');
                AppendIfSet(yaml, "  Auth", credential.Auth);
                AppendBool(yaml, "  Insecure", credential.Insecure);
            }
        }

        return yaml.ToString();
    }

    private static void AppendIfSet(StringBuilder yaml, string key, string value)
    {
        if (value.Length > 0)
        {
            yaml.Append(key).Append(": ").Append(YamlScalars.Quote(value)).Append('\n');
        }
    }

    private static void AppendBool(StringBuilder yaml, string key, bool value) =>
        yaml.Append(key).Append(": ").Append(value ? "true" : "false").Append('\n');

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>A recursive-descent walk over parser events; each Read* consumes exactly one node.</summary>
    private sealed class Reader(IParser parser, string filePath)
    {
        public RemoteConfig ReadDocument()
        {
            parser.Consume<StreamStart>();
            var config = new RemoteConfig();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return config;
            }

            parser.Consume<DocumentStart>();
            if (IsNullNode())
            {
                parser.Consume<Scalar>();
            }
            else
            {
                ReadStruct("remote.Config", key =>
                {
                    switch (key)
                    {
                        case "Active": config.Active = ReadString(); return true;
                        case "Remotes": ReadMap(name => config.Remotes[name] = ReadEndpoint()); return true;
                        case "Credentials": ReadSequence(() => config.Credentials.Add(ReadCredential())); return true;
                        default: return false;
                    }
                });
            }

            parser.Consume<DocumentEnd>();
            if (!parser.TryConsume<StreamEnd>(out _))
            {
                throw Error(parser.Current!.Start, "more than one YAML document");
            }

            return config;
        }

        private EndpointConfig ReadEndpoint()
        {
            var endpoint = new EndpointConfig();
            ReadStruct("endpoint.Config", key =>
            {
                switch (key)
                {
                    case "URI": endpoint.Uri = ReadString(); return true;
                    case "Token": endpoint.Token = ReadString(); return true;
                    case "System": endpoint.System = ReadBool(); return true;
                    case "Exclusive": endpoint.Exclusive = ReadBool(); return true;
                    case "Insecure": endpoint.Insecure = ReadBool(); return true;
                    case "Keyservers": ReadSequence(() => endpoint.Keyservers.Add(ReadKeyserver())); return true;
                    default: return false;
                }
            });
            return endpoint;
        }

        private KeyserverConfig ReadKeyserver()
        {
            var keyserver = new KeyserverConfig();
            ReadStruct("endpoint.ServiceConfig", key =>
            {
                switch (key)
                {
                    case "URI": keyserver.Uri = ReadString(); return true;
                    case "Skip": keyserver.Skip = ReadBool(); return true;
                    case "External": keyserver.External = ReadBool(); return true;
                    case "Insecure": keyserver.Insecure = ReadBool(); return true;
                    default: return false;
                }
            });
            return keyserver;
        }

        private CredentialConfig ReadCredential()
        {
            var credential = new CredentialConfig();
            ReadStruct("credential.Config", key =>
            {
                switch (key)
                {
                    case "URI": credential.Uri = ReadString(); return true;
                    case "Auth": credential.Auth = ReadString(); return true;
                    case "Insecure": credential.Insecure = ReadBool(); return true;
                    default: return false;
                }
            });
            return credential;
        }

        /// <summary>A mapping onto a fixed set of fields; <paramref name="readField"/> returns false for unknown keys.</summary>
        private void ReadStruct(string typeName, Func<string, bool> readField)
        {
            if (IsNullNode())
            {
                parser.Consume<Scalar>();
                return;
            }

            var start = Expect<MappingStart>("a mapping");
            _ = start;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = Expect<Scalar>("a key");
                if (!seen.Add(key.Value))
                {
                    throw Error(key.Start, $"field {key.Value} already set in type {typeName}");
                }

                if (!readField(key.Value))
                {
                    throw Error(key.Start, $"field {key.Value} not found in type {typeName}");
                }
            }
        }

        private void ReadMap(Action<string> readValue)
        {
            if (IsNullNode())
            {
                parser.Consume<Scalar>();
                return;
            }

            Expect<MappingStart>("a mapping");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = Expect<Scalar>("a key");
                if (!seen.Add(key.Value))
                {
                    throw Error(key.Start, $"key \"{key.Value}\" already set in map");
                }

                readValue(key.Value);
            }
        }

        private void ReadSequence(Action readItem)
        {
            if (IsNullNode())
            {
                parser.Consume<Scalar>();
                return;
            }

            Expect<SequenceStart>("a list");
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                readItem();
            }
        }

        private string ReadString()
        {
            var scalar = Expect<Scalar>("a string");
            return scalar.IsPlainImplicit && YamlScalars.IsNull(scalar.Value) ? "" : scalar.Value;
        }

        private bool ReadBool()
        {
            var scalar = Expect<Scalar>("a boolean");
            if (scalar.IsPlainImplicit && YamlScalars.IsNull(scalar.Value))
            {
                return false;
            }

            return scalar.IsPlainImplicit && YamlScalars.ParseBool(scalar.Value) is bool value
                ? value
                : throw Error(scalar.Start, $"cannot unmarshal !!str `{scalar.Value}` into bool");
        }

        private bool IsNullNode() =>
            parser.Current is Scalar { IsPlainImplicit: true } scalar && YamlScalars.IsNull(scalar.Value);

        private T Expect<T>(string what)
            where T : ParsingEvent
        {
            var current = parser.Current ?? throw Error(Mark.Empty, "unexpected end of file");
            if (current is AnchorAlias)
            {
                throw Error(current.Start, "aliases are not supported");
            }

            if (current is not T expected)
            {
                throw Error(current.Start, $"expected {what}, found {Describe(current)}");
            }

            parser.MoveNext();
            return expected;
        }

        private static string Describe(ParsingEvent e) => e switch
        {
            MappingStart => "a mapping",
            SequenceStart => "a list",
            Scalar s => $"`{s.Value}`",
            _ => e.GetType().Name,
        };

        private ConfigFileException Error(Mark mark, string detail) =>
            new(filePath, mark.Line > 0 ? (int)mark.Line : null, detail);
    }
}
