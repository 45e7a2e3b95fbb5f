using DotnetRemote.Tool.Cli;

try
{
    // docker, podman and skopeo run `credential-helper get` on every pull and push: it skips the command line parser.
    return HelperFastPath.Handles(args)
        ? HelperFastPath.Run()
        : await RemoteCli.RunAsync(args, CliConsole.FromProcess());
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    // The last host boundary: RunAsync reports everything itself, so this only guards the console's own setup.
    Console.Error.Write($"FATAL:   {CommandRunner.Describe(ex)}\n");
    return CommandRunner.Failure;
}
