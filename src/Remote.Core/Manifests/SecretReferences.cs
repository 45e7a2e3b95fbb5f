using System.Text.RegularExpressions;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// Expands <c>${env:NAME}</c> and <c>${file:PATH}</c> inside manifest values, so secrets stay in the CI's secret
/// store and out of the repository. A missing variable or file is an error naming it; its value never is.
/// </summary>
public sealed partial class SecretReferences(Func<string, string?> environment, string baseDirectory)
{
    public string Expand(string value, string filePath, int line)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Reference().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (match.Groups["kind"].Value == "env")
            {
                return environment(name) is { Length: > 0 } found
                    ? found
                    : throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{filePath}:{line}: environment variable {name} is not set");
            }

            var path = Path.GetFullPath(name, baseDirectory);
            try
            {
                return File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{filePath}:{line}: cannot read {path}: {ex.Message}", ex);
            }
        });
    }

    public static bool HasReference(string value) => Reference().IsMatch(value);

    [GeneratedRegex(@"\$\{(?<kind>env|file):(?<name>[^}]+)\}")]
    private static partial Regex Reference();
}
