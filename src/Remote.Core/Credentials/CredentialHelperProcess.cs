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
/// request to <c>dotnet-remote credential-helper</c> by <c>execv</c> (same process, no extra start), found by stable
/// names only (<see cref="ToolCandidates"/>), so a copy of the helper keeps working across tool updates.
/// </summary>
internal static partial class CredentialHelperProcess
{
    /// <summary>The tool the native helper hands other actions to (<see cref="ToolCandidates"/>).</summary>
    public const string ToolFileName = "dotnet-remote";

    /// <summary>
    /// Answers one <c>get</c>: the server URL on <paramref name="input"/>, the credential JSON (or the protocol's error
    /// line) on <paramref name="output"/>, warnings on <paramref name="error"/> as Apptainer's lines
    /// (<see cref="ApptainerLog"/>). Returns the exit code (0, or 1 with the protocol's message).
    /// </summary>
    public static int RunGet(Stream input, Stream output, Stream error)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var answer = new StringWriter { NewLine = "\n" };
        var warnings = new StringWriter { NewLine = "\n" };
        int exit;
        try
        {
            var serverUrl = ReadAll(input);
            using var context = new RemoteContext(RemotePaths.FromProcessEnvironment(), new ApptainerLog(warnings));

            // Completes synchronously unless the file names another helper to ask (then that process is the cost).
#pragma warning disable VSTHRD002 // A synchronous Main of a helper process: no synchronization context exists to deadlock on.
            exit = new CredentialHelperProtocol(context).ServeGetAsync(new StringReader(serverUrl), answer).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
        catch (Exception ex)
        {
            // The host boundary of `get` (the tool's fast path and the native helper): whatever failed is the
            // protocol's failure, one line on stdout and exit 1, never a stack trace.
            answer.Write($"credential-helper get failed: {ex.Message}\n");
            exit = 1;
        }

        Write(error, warnings.ToString());
        Write(output, answer.ToString());
        return exit;
    }

    /// <summary>
    /// Where the native helper looks for the <c>dotnet-remote</c> it hands other actions to, in order: what
    /// <c>credential-helper install</c> put in <c>docker-credential-dotnet-remote.d/</c> beside the helper's real path
    /// (a link to the tool's stable name, or a local tool's copy), then beside its real path (a global tool's shim in
    /// <c>~/.dotnet/tools</c>, a <c>--tool-path</c> folder), beside the path it was started by (a link to the helper),
    /// then the absolute folders of <paramref name="pathVariable"/> (relative entries such as <c>.</c> are skipped, as
    /// Go's exec.LookPath does: the working folder is not a place programs are taken from). Every name is a stable
    /// one: none lies in the tool's versioned folder, so <c>dotnet tool update</c> leaves them working.
    /// </summary>
    /// <param name="realDirectory">The helper's own folder, links resolved (<see cref="AppContext.BaseDirectory"/>).</param>
    /// <param name="invokedPath">The path the helper was started by (<see cref="InvokedPath"/>), or null.</param>
    public static IReadOnlyList<string> ToolCandidates(string realDirectory, string? invokedPath, string? pathVariable)
    {
        ArgumentNullException.ThrowIfNull(realDirectory);
        var candidates = new List<string>
        {
            Path.Combine(realDirectory, CredentialHelperInstaller.CopyFolderName, ToolFileName),
            Path.Combine(realDirectory, ToolFileName),
        };
        if (!string.IsNullOrEmpty(invokedPath) && Path.GetDirectoryName(Path.GetFullPath(invokedPath)) is { } invokedDirectory)
        {
            candidates.Add(Path.Combine(invokedDirectory, ToolFileName));
        }

        foreach (var entry in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Path.IsPathFullyQualified(entry))
            {
                candidates.Add(Path.Combine(entry, ToolFileName));
            }
        }

        return [.. candidates.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The first of <see cref="ToolCandidates"/> that is a file this process may execute, or null.</summary>
    public static string? FindTool(string realDirectory, string? invokedPath, string? pathVariable) =>
        ToolCandidates(realDirectory, invokedPath, pathVariable).FirstOrDefault(IsExecutableFile);

    /// <summary>
    /// The path this process was started by (<c>AT_EXECFN</c>: what the starter passed to <c>execve</c>, before links
    /// were resolved), absolute; null where unknown.
    /// </summary>
    public static string? InvokedPath()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var value = NativeMethods.getauxval(AtExecFn);
        var path = value == 0 ? null : Marshal.PtrToStringUTF8((nint)value);
        return string.IsNullOrEmpty(path) ? null : Path.GetFullPath(path);
    }

    /// <summary>
    /// Replaces this process with <c>dotnet-remote credential-helper ARGS</c>, the tool <see cref="FindTool"/> finds:
    /// store, erase, list, version and anything unexpected get exactly the tool's answers. Returns only when no tool
    /// was found or exec failed, with the protocol's error line (naming where it looked) on <paramref name="output"/>
    /// and exit 1.
    /// </summary>
    public static int ExecTool(string realDirectory, string? invokedPath, string? pathVariable, IReadOnlyList<string> args, Stream output)
    {
        ArgumentNullException.ThrowIfNull(realDirectory);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var tool = FindTool(realDirectory, invokedPath, pathVariable);
        if (tool is null)
        {
            var candidates = ToolCandidates(realDirectory, invokedPath, null);
            Write(output, $"{CredentialHelperInstaller.ProgramName}: cannot run {Path.GetFullPath(Path.Combine(realDirectory, ToolFileName))}: No such file or directory; "
                + $"no {ToolFileName} at {string.Join(", ", candidates.Where(c => c != Path.GetFullPath(Path.Combine(realDirectory, ToolFileName))))} or on PATH either "
                + "(install the tool, or run \"dotnet remote credential-helper install\" again)\n");
            return 1;
        }

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

    private const nuint AtExecFn = 31;
    private const int XOk = 1;

    // access(X_OK) as the process's real ids, links followed; a folder is not a program.
    private static bool IsExecutableFile(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || NativeMethods.access(path, XOk) == 0);

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

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int access(string path, int mode);

        [LibraryImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial nuint getauxval(nuint type);
    }
}
