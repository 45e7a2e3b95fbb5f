using System.Runtime.InteropServices;
using System.Text;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;

namespace DotnetRemote.Core.Credentials;

/// <summary>
/// The whole <c>docker-credential-dotnet-remote</c> process, for the hosts that run it: the tool's
/// <c>credential-helper get</c> fast path and the small native helper beside the native tool. docker, podman and
/// skopeo start the helper on every pull and push, so <c>get</c> builds no command tree and sets up no console:
/// stdin and stdout are read and written as bytes, synchronously (an async read would wait for the thread pool),
/// and the answer is <see cref="CredentialHelperProtocol"/>'s, byte for byte. The native helper hands every other
/// request to <c>dotnet-remote credential-helper</c> beside it by <c>execv</c> (same process, no extra start).
/// </summary>
internal static partial class CredentialHelperProcess
{
    /// <summary>The tool the native helper hands other actions to, in the helper's own folder.</summary>
    public const string ToolFileName = "dotnet-remote";

    /// <summary>
    /// Answers one <c>get</c>: the server URL on <paramref name="input"/>, the credential JSON (or the protocol's error
    /// line) on <paramref name="output"/>, warnings on <paramref name="error"/> through the log
    /// <paramref name="createLog"/> makes. Returns the exit code (0, or 1 with the protocol's message).
    /// </summary>
    public static int RunGet(Stream input, Stream output, Stream error, Func<TextWriter, IRemoteLog> createLog)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(createLog);
        var answer = new StringWriter { NewLine = "\n" };
        var warnings = new StringWriter { NewLine = "\n" };
        int exit;
        try
        {
            var serverUrl = ReadAll(input);
            using var context = new RemoteContext(RemotePaths.FromProcessEnvironment(), createLog(warnings));

            // Completes synchronously unless the file names another helper to ask (then that process is the cost).
#pragma warning disable VSTHRD002 // A synchronous Main of a helper process: no synchronization context exists to deadlock on.
            exit = new CredentialHelperProtocol(context).ServeGetAsync(new StringReader(serverUrl), answer).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The protocol's failure: one line on stdout, exit 1; never a stack trace.
            answer.Write($"credential-helper get failed: {ex.Message}\n");
            exit = 1;
        }

        Write(error, warnings.ToString());
        Write(output, answer.ToString());
        return exit;
    }

    /// <summary>
    /// Replaces this process with <c>dotnet-remote credential-helper ARGS</c> from <paramref name="directory"/> (the
    /// native helper's folder): store, erase, list, version and anything unexpected get exactly the tool's answers.
    /// Returns only when exec failed, with the protocol's error line written to <paramref name="output"/> and exit 1.
    /// </summary>
    public static int ExecTool(string directory, IReadOnlyList<string> args, Stream output)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var tool = Path.Combine(directory, ToolFileName);
        string[] argv = [tool, "credential-helper", .. args];
        var pointers = new IntPtr[argv.Length + 1];
        try
        {
            for (var i = 0; i < argv.Length; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            }

            var path = Marshal.StringToCoTaskMemUTF8(tool);
            try
            {
                _ = NativeMethods.execv(path, pointers);
            }
            finally
            {
                Marshal.FreeCoTaskMem(path);
            }
        }
        finally
        {
            foreach (var pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }

        var reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        Write(output, $"{CredentialHelperInstaller.ProgramName}: cannot run {tool}: {reason}\n");
        return 1;
    }

    // Reads at most one byte more than the protocol accepts per character, so the protocol refuses larger input
    // without this process ever holding it (a 100 MB stdin costs 256 KB here).
    private static string ReadAll(Stream input)
    {
        var buffer = new byte[(CredentialHelperProtocol.MaxInputChars * 4) + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = input.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer, 0, length);
    }

    private static void Write(Stream stream, string text)
    {
        if (text.Length > 0)
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            stream.Flush();
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int execv(IntPtr path, IntPtr[] argv);
    }
}
