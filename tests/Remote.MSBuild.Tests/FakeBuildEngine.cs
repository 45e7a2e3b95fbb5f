using System.Collections;
using Microsoft.Build.Framework;

namespace DotnetRemote.MSBuild.Tests;

/// <summary>The engine a task reports to, recording every error, warning and message it logs.</summary>
internal sealed class FakeBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = [];

    public List<BuildWarningEventArgs> Warnings { get; } = [];

    public List<BuildMessageEventArgs> Messages { get; } = [];

    /// <summary>Every text the build log would hold (errors, warnings, messages).</summary>
    public IEnumerable<string> LogText =>
        Errors.Select(e => e.Message ?? "").Concat(Warnings.Select(w => w.Message ?? "")).Concat(Messages.Select(m => m.Message ?? ""));

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "/pipeline/SampleApp.csproj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException("the remote tasks build no projects");
}
