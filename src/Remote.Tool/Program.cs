using DotnetRemote.Tool.Cli;

return await RemoteCli.RunAsync(args, CliConsole.FromProcess());
