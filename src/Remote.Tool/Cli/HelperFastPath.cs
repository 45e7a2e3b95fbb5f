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
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        using var error = Console.OpenStandardError();
        return CredentialHelperProcess.RunGet(input, output, error);
    }
}
