using System.Text.RegularExpressions;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Manifests;

/// <summary>
/// Expands <c>${env:NAME}</c> and <c>${file:PATH}</c> inside manifest values, so secrets stay in the CI's secret
/// store and out of the repository. A missing variable or file is an error naming the reference; its value never is.
/// A <c>${file:}</c> reference reads a regular file of at most <see cref="MaxFileBytes"/> bytes, within
/// <see cref="FileReadTimeout"/>: a device (<c>/dev/zero</c>), a fifo or a folder is refused without being read.
/// </summary>
internal sealed partial class SecretReferences(Func<string, string?> environment, string baseDirectory)
{
    public const int MaxFileBytes = 64 * 1024;

    public static readonly TimeSpan FileReadTimeout = TimeSpan.FromSeconds(5);

    /// <param name="resolved">Receives every value a reference produced: these are masked wherever they are printed.</param>
    /// <param name="allowFile">False in <c>uri</c> fields: a file reference there is refused (it could send any
    /// readable file's content to a server of the manifest's choosing, or into an error message).</param>
    public string Expand(string value, string filePath, int line, ICollection<string>? resolved = null, bool allowFile = true, string field = "value")
    {
        ArgumentNullException.ThrowIfNull(value);
        return Reference().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            string found;
            if (match.Groups["kind"].Value == "env")
            {
                found = environment(name) is { Length: > 0 } variable
                    ? variable
                    : throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{filePath}:{line}: environment variable {name} is not set");
            }
            else if (!allowFile)
            {
                throw new RemoteException(RemoteErrorCodes.ManifestInvalid, $"{filePath}:{line}: ${{file:...}} is not allowed in a {field} field (use ${{env:...}})");
            }
            else
            {
                found = ReadSecretFile(Path.GetFullPath(name, baseDirectory), $"{filePath}:{line}");
            }

            resolved?.Add(found);
            return found;
        });
    }

    public static bool HasReference(string value) => Reference().IsMatch(value);

    /// <summary>Reads a secret file: regular files only, bounded size and time. Errors name the path, never the content.</summary>
    internal static string ReadSecretFile(string path, string origin)
    {
        // The read runs on a thread of its own, and the manifest's synchronous parse waits for it at most
        // FileReadTimeout: a read that hangs (a stale network mount) keeps that thread, never a thread-pool thread,
        // and never the process (a background thread).
        byte[]? bytes = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                bytes = ReadBounded(path, origin);
            }
#pragma warning disable CA1031 // Anything the read throws is rethrown on the waiting thread below; none may end the process.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = "dotnet-remote secret file read",
        };
        reader.Start();
        if (!reader.Join(FileReadTimeout))
        {
            throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{origin}: cannot read {path}: no answer within {FileReadTimeout.TotalSeconds:0} s");
        }

        if (failure?.SourceException is RemoteException refused)
        {
            throw new RemoteException(refused.Code, refused.Message);
        }

        failure?.Throw();

        return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false).GetString(bytes!).TrimEnd('\r', '\n');
    }

    private static byte[] ReadBounded(string path, string origin)
    {
        RemoteException Refused(string reason) =>
            new(RemoteErrorCodes.ManifestVariableMissing, $"{origin}: cannot read {path}: {reason}");

        try
        {
            if (UnixFile.IsSupported)
            {
                // Non-blocking open: a fifo with no writer would otherwise hang here, beyond any timeout or SIGTERM.
                using var handle = UnixFile.OpenNonBlocking(path, out var errno);
                if (handle.IsInvalid)
                {
                    throw Refused(System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno));
                }

                var status = UnixFile.HandleStatus(handle);
                if (status.Kind != UnixFileKind.Regular)
                {
                    throw Refused("not a regular file");
                }

                if (status.Size > MaxFileBytes)
                {
                    throw Refused($"larger than {MaxFileBytes / 1024} KB");
                }

                return ReadAtMost(handle, Refused);
            }

            var info = new FileInfo(path);
            if (!info.Exists || (info.Attributes & (FileAttributes.Directory | FileAttributes.Device)) != 0)
            {
                throw Refused(info.Exists ? "not a regular file" : "no such file");
            }

            using var stream = File.OpenHandle(path);
            return ReadAtMost(stream, Refused);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused(ex is UnauthorizedAccessException ? "permission denied" : ex.Message);
        }
    }

    private static byte[] ReadAtMost(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Func<string, RemoteException> refused)
    {
        // One byte more than allowed tells a file that grew after the size check.
        var buffer = new byte[MaxFileBytes + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total > MaxFileBytes ? throw refused($"larger than {MaxFileBytes / 1024} KB") : buffer[..total];
    }

    [GeneratedRegex(@"\$\{(?<kind>env|file):(?<name>[^}]+)\}")]
    private static partial Regex Reference();
}
