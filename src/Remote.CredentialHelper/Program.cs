using DotnetRemote.Core.Credentials;

// docker, podman and skopeo run `docker-credential-dotnet-remote get` on every pull and push: answered here.
// Everything else (store, erase, list, version, anything unexpected) is the tool's own answer: exec dotnet-remote,
// found by its stable names (beside this file, beside the path it was started by, on PATH), so the copy that
// `credential-helper install` writes keeps working after `dotnet tool update`.
if (args is ["get"])
{
    using var input = Console.OpenStandardInput();
    using var output = Console.OpenStandardOutput();
    using var error = Console.OpenStandardError();
    return CredentialHelperProcess.RunGet(input, output, error);
}

try
{
    using var output = Console.OpenStandardOutput();
    return CredentialHelperProcess.ExecTool(AppContext.BaseDirectory, CredentialHelperProcess.InvokedPath(), Environment.GetEnvironmentVariable("PATH"), args, output);
}
catch (Exception ex)
{
    // The host boundary: the protocol's failure is one line on stdout and exit 1, never a stack trace.
    Console.Out.Write($"{CredentialHelperInstaller.ProgramName}: {ex.Message}\n");
    return 1;
}
