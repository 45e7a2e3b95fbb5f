using System.Text;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// Reads and writes remote.yaml with YamlDotNet's event parser (no reflection, AOT-safe). Reading is as strict as
/// Apptainer's decoder: an unknown or repeated key is an error naming its line, because a file Apptainer rejects
/// must not be accepted (and later rewritten) here. Writing gives the bytes Apptainer 1.2.5 (gopkg.in/yaml.v2 2.4.0)
/// writes for the same content: its layout (2 spaces, indentless lists), key order and quoting (<see cref="YamlV2Emitter"/>).
/// </summary>
internal static class RemoteConfigYaml
{
    public static RemoteConfig Parse(string text, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ReadDocument(StrictYamlReader.ForText(text, filePath));
    }

    public static string Write(RemoteConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var yaml = new StringBuilder();
        YamlV2Emitter.AppendValue(yaml.Append("Active:"), config.Active, 0);
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
                YamlV2Emitter.AppendKey(yaml.Append("  "), name);
                yaml.Append(":\n");
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
                        YamlV2Emitter.AppendValue(yaml.Append("    - URI:"), keyserver.Uri, 6);
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
                YamlV2Emitter.AppendValue(yaml.Append("- URI:"), credential.Uri, 2);
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
            YamlV2Emitter.AppendValue(yaml.Append(key).Append(':'), value, key.Length - key.TrimStart(' ').Length);
        }
    }

    private static void AppendBool(StringBuilder yaml, string key, bool value) =>
        yaml.Append(key).Append(": ").Append(value ? "true" : "false").Append('\n');


    private static RemoteConfig ReadDocument(StrictYamlReader yaml)
    {
        var config = new RemoteConfig();
        yaml.ReadDocument(() => yaml.ReadStruct("remote.Config", key =>
        {
            switch (key)
            {
                case "Active": config.Active = yaml.ReadString(); return true;
                case "Remotes": yaml.ReadMap(name => config.Remotes[name] = ReadEndpoint(yaml)); return true;
                case "Credentials": yaml.ReadSequence(() => config.Credentials.Add(ReadCredential(yaml))); return true;
                default: return false;
            }
        }));
        return config;
    }

    private static EndpointConfig ReadEndpoint(StrictYamlReader yaml)
    {
        var endpoint = new EndpointConfig();
        yaml.ReadStruct("endpoint.Config", key =>
        {
            switch (key)
            {
                case "URI": endpoint.Uri = yaml.ReadString(); return true;
                case "Token": endpoint.Token = yaml.ReadString(); return true;
                case "System": endpoint.System = yaml.ReadBool(); return true;
                case "Exclusive": endpoint.Exclusive = yaml.ReadBool(); return true;
                case "Insecure": endpoint.Insecure = yaml.ReadBool(); return true;
                case "Keyservers": yaml.ReadSequence(() => endpoint.Keyservers.Add(ReadKeyserver(yaml))); return true;
                default: return false;
            }
        });
        return endpoint;
    }

    private static KeyserverConfig ReadKeyserver(StrictYamlReader yaml)
    {
        var keyserver = new KeyserverConfig();
        yaml.ReadStruct("endpoint.ServiceConfig", key =>
        {
            switch (key)
            {
                case "URI": keyserver.Uri = yaml.ReadString(); return true;
                case "Skip": keyserver.Skip = yaml.ReadBool(); return true;
                case "External": keyserver.External = yaml.ReadBool(); return true;
                case "Insecure": keyserver.Insecure = yaml.ReadBool(); return true;
                default: return false;
            }
        });
        return keyserver;
    }

    private static CredentialConfig ReadCredential(StrictYamlReader yaml)
    {
        var credential = new CredentialConfig();
        yaml.ReadStruct("credential.Config", key =>
        {
            switch (key)
            {
                case "URI": credential.Uri = yaml.ReadString(); return true;
                case "Auth": credential.Auth = yaml.ReadString(); return true;
                case "Insecure": credential.Insecure = yaml.ReadBool(); return true;
                default: return false;
            }
        });
        return credential;
    }
}
