using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Endpoints;

/// <summary>Reads a library token from a file: its first line, 200 to 4096 characters, as Apptainer requires.</summary>
internal static class TokenFile
{
    public const int MinimumLength = 200;
    public const int MaximumLength = 4096;

    public static string Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RemoteException(RemoteErrorCodes.TokenFile, "while reading tokenfile: authentication token file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RemoteException(RemoteErrorCodes.TokenFile, "while reading tokenfile: couldn't read your authentication token", ex);
        }

        var token = text.Split('\n')[0].TrimEnd('\r').Trim();
        return token.Length switch
        {
            < MinimumLength => throw new RemoteException(RemoteErrorCodes.TokenFile, "while reading tokenfile: token is too short to be valid"),
            > MaximumLength => throw new RemoteException(RemoteErrorCodes.TokenFile, "while reading tokenfile: token is too large to be valid"),
            _ => token,
        };
    }
}
