namespace DotnetRemote.Tool.Cli;

/// <summary>The process's streams and environment, injectable so the whole command tree runs in tests.</summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, TextReader input, Func<string, string?> environment, bool inputIsTerminal, bool? isRoot = null, HttpMessageHandler? httpHandler = null, string programName = ProcessIdentity.ToolName)
    {
        Output = output;
        Error = error;
        Input = input;
        Environment = environment;
        InputIsTerminal = inputIsTerminal;
        IsRoot = isRoot;
        HttpHandler = httpHandler;
        ProgramName = programName;
        Log = new ConsoleLog(error);
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public TextReader Input { get; }

    public Func<string, string?> Environment { get; }

    public bool InputIsTerminal { get; }

    /// <summary>Null means "ask the operating system".</summary>
    public bool? IsRoot { get; }

    public HttpMessageHandler? HttpHandler { get; }

    public ConsoleLog Log { get; }

    /// <summary>How the user started us, for usage lines: <c>dotnet remote</c> or <c>dotnet-remote</c>.</summary>
    public string ProgramName { get; }

    public static CliConsole FromProcess() =>
        new(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable, !Console.IsInputRedirected, programName: ProcessIdentity.ProgramName());
}
