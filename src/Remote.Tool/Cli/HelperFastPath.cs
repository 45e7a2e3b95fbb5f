using System.Text;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Credentials;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// <c>credential-helper get</c> without the command tree: docker, podman and skopeo start the helper on every pull
/// and push, so this path builds no System.CommandLine tree (the whole tool's commands and options), sets up no
/// console readers or writers, and reads stdin and writes stdout as bytes, synchronously (an async console read
/// would wait for the thread pool to start a thread). Exactly the arguments docker passes (<c>credential-helper
/// get</c>) take it; anything else (<c>-c</c>, <c>--help</c>, other actions) goes the usual way, and both give the
/// same answers, exit codes and errors (the protocol's: a message on stdout, exit 1).
/// </summary>
internal static class HelperFastPath
{
    public static bool Handles(string[] args) => args is ["credential-helper", "get"];

    public static int Run()
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int exit;
        try
        {
            string serverUrl;
            using (var input = Console.OpenStandardInput())
            {
                serverUrl = ReadAll(input);
            }

            using var context = new RemoteContext(RemotePaths.FromProcessEnvironment(), new ConsoleLog(error));

            // Completes synchronously unless the file names another helper to ask (then the process is the cost).
#pragma warning disable VSTHRD002 // The fast path is a synchronous Main before any host starts: no synchronization context exists.
            exit = new CredentialHelperProtocol(context).ServeAsync("get", new StringReader(serverUrl), output).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The protocol's failure: one line on stdout, exit 1; never a stack trace.
            output.Write($"credential-helper get failed: {ex.Message}\n");
            exit = 1;
        }

        Write(Console.OpenStandardError(), error.ToString());
        Write(Console.OpenStandardOutput(), output.ToString());
        return exit;
    }

    // Reads at most one byte more than the protocol accepts per character, so the protocol refuses larger input
    // without this path ever holding it (a 100 MB stdin costs 256 KB here).
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
        using (stream)
        {
            if (text.Length > 0)
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
        }
    }
}
