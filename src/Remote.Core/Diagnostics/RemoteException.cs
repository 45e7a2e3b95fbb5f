
namespace DotnetRemote.Core.Diagnostics;

/// <summary>A failure the user can act on. <see cref="Code"/> is stable across releases and hosts.</summary>
internal class RemoteException : Exception
{
    public RemoteException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public RemoteException()
        : this(RemoteErrorCodes.Failure, "remote operation failed")
    {
    }

    public RemoteException(string message)
        : this(RemoteErrorCodes.Failure, message)
    {
    }

    public RemoteException(string message, Exception innerException)
        : this(RemoteErrorCodes.Failure, message, innerException)
    {
    }

    /// <summary>An <c>RMT</c> code, listed in <see cref="RemoteErrorCodes"/>.</summary>
    public string Code { get; }
}

/// <summary>A configuration file that cannot be read; names the file and, where known, the line.</summary>
internal sealed class ConfigFileException : RemoteException
{
    public ConfigFileException(string filePath, int? line, string detail, Exception? innerException = null)
        : base(RemoteErrorCodes.ConfigInvalid, Format(filePath, line, detail), innerException)
    {
        FilePath = filePath;
        Line = line;
        Detail = detail;
    }

    public ConfigFileException()
        : this("", null, "invalid configuration")
    {
    }

    public ConfigFileException(string message)
        : this("", null, message)
    {
    }

    public ConfigFileException(string message, Exception innerException)
        : this("", null, message, innerException)
    {
    }

    public string FilePath { get; }

    public int? Line { get; }

    public string Detail { get; }

    private static string Format(string filePath, int? line, string detail) =>
        line is int n ? $"{filePath}:{n}: {detail}" : $"{filePath}: {detail}";
}

/// <summary>The stable error codes. Hosts print them (MSBuild) or map them to exit code 255 (the tool).</summary>
internal static class RemoteErrorCodes
{
    public const string Failure = "RMT0001";
    public const string NotRoot = "RMT0002";
    public const string InvalidArgument = "RMT0003";
    public const string RemoteNotFound = "RMT0004";
    public const string RemoteExists = "RMT0005";
    public const string RemoteIsGlobal = "RMT0006";
    public const string RemoteExclusive = "RMT0007";
    public const string NoDefaultRemote = "RMT0008";
    public const string ConfigInvalid = "RMT0010";
    public const string ConfigIo = "RMT0011";
    public const string ConfigLocked = "RMT0012";
    public const string ConfigUnsafe = "RMT0013";
    public const string KeyserverExists = "RMT0020";
    public const string KeyserverNotConfigured = "RMT0021";
    public const string KeyserverPrimary = "RMT0022";
    public const string KeyserverOrder = "RMT0023";
    public const string KeyserverScheme = "RMT0024";
    public const string DiscoveryFailed = "RMT0030";
    public const string ServiceMissing = "RMT0031";
    public const string TokenInvalid = "RMT0032";
    public const string TokenFile = "RMT0033";
    public const string LoginFailed = "RMT0040";
    public const string NotLoggedIn = "RMT0041";
    public const string TransportNotSupported = "RMT0042";
    public const string PasswordRequired = "RMT0043";
    public const string CredentialNotFound = "RMT0044";
    public const string CredentialStore = "RMT0045";
    public const string Network = "RMT0050";

    /// <summary>The build or the user stopped the operation (MSBuild cancellation, Ctrl+C).</summary>
    public const string Canceled = "RMT0052";
    public const string ManifestInvalid = "RMT0060";
    public const string ManifestVariableMissing = "RMT0061";
    public const string ExecFailed = "RMT0070";
    public const string ExecScope = "RMT0071";
    public const string ExecExitCode = "RMT0072";

    /// <summary>The code of a warning the engine reports (hosts that want every warning coded use it).</summary>
    public const string EngineWarning = "RMT0090";
}
