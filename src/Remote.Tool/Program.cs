using DotnetRemote.Tool.Cli;

if (HelperFastPath.Handles(args))
{
    return HelperFastPath.Run();
}

return await RemoteCli.RunAsync(args, CliConsole.FromProcess());
