using System.Text;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// <c>base64(username:password)</c>, the value of HTTP Basic authentication (RFC 7617) and of a docker-config
/// <c>auth</c> field: one encoding and one decoding for the verifier, the keyserver login, the docker-config file,
/// the credential resolver and the import of a <c>DOCKER_AUTH_CONFIG</c>.
/// </summary>
internal static class BasicCredentials
{
    /// <summary>The base64 of <c>username:password</c> (UTF-8).</summary>
    public static string Encode(string username, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));

    /// <summary>
    /// Splits <paramref name="base64"/> at its first colon; false when it is not base64 or holds no colon. The caller
    /// words the error: the value may still be a secret, so it must never be quoted.
    /// </summary>
    public static bool TryDecode(string base64, out string username, out string password)
    {
        ArgumentNullException.ThrowIfNull(base64);
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        (username, password) = ("", "");
        return false;
    }
}
