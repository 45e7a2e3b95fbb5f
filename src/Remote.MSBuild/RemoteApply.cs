using System.Globalization;
using System.Text.RegularExpressions;
using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Manifests;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;

namespace DotnetRemote.MSBuild;

/// <summary>
/// Applies <c>RemoteEndpoint</c>, <c>RemoteKeyserver</c>, <c>RemoteLogin</c> and <c>RemoteManifest</c> items in one
/// verified, all-or-nothing step, exactly as <c>dotnet remote apply</c> does. Items carry environment variable names.
/// Incremental: when the items, the files they reference, the secret values and the stored files are as the last
/// successful apply left them (an <see cref="ApplyStamp"/>), and that verification is younger than
/// <see cref="VerifyInterval"/>, nothing is verified and nothing written, so an unchanged project builds offline.
/// </summary>
public sealed partial class RemoteApply : RemoteTask
{
    /// <summary>The variables that mark a CI run: there a missing secret fails the build, elsewhere it only warns.</summary>
    private static readonly string[] CiVariables = ["CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI"];

    private readonly Dictionary<string, (string ItemType, ITaskItem Item)> _origins = new(StringComparer.Ordinal);

    public ITaskItem[] Endpoints { get; set; } = [];

    public ITaskItem[] Keyservers { get; set; } = [];

    public ITaskItem[] Logins { get; set; } = [];

    public ITaskItem[] Manifests { get; set; } = [];

    public bool NoVerify { get; set; }

    public bool DryRun { get; set; }

    /// <summary>How long a successful verification holds for unchanged inputs: <c>24h</c>, <c>30m</c>, <c>1.00:00:00</c>; <c>0</c> verifies every build.</summary>
    public string? VerifyInterval { get; set; }

    /// <summary>
    /// An inner build of a multi-targeted project: the outer build applied, so this one applies only when something
    /// changed since (it does not re-verify for age).
    /// </summary>
    public bool InnerBuild { get; set; }

    /// <summary>One item per planned change: ItemSpec the target, metadata Kind, Action, Detail (no secrets).</summary>
    [Output]
    public ITaskItem[] Changes { get; private set; } = [];

    /// <summary>True when the stamp showed nothing changed and nothing was verified or written.</summary>
    [Output]
    public bool UpToDate { get; private set; }

    private protected override async Task ExecuteAsync(RemoteContext context)
    {
        var interval = ParseInterval(VerifyInterval);
        Manifest manifest;
        try
        {
            manifest = BuildManifest(context);
        }
        catch (RemoteException ex) when (ex.Code == RemoteErrorCodes.ManifestVariableMissing && !InCi(context))
        {
            // A developer building without the pipeline's secrets: the build goes on, the apply waits for them.
            var (file, line) = Locate(ex);
            Warn(ex.Code, $"{ex.Message}; RemoteApply is skipped (outside CI a missing secret is a warning, in CI an error)", file, line);
            return;
        }

        // Straight to the console, never to the build log: a mask line holds the secret it masks.
        foreach (var mask in CiSecretMasking.Commands(manifest.Secrets, context.Environment))
        {
            Console.Out.WriteLine(mask);
        }

        var options = new ApplyManifestOptions(manifest, DryRun, NoVerify);
        var stamp = new ApplyStamp(context, DefaultFile ?? "project");
        if (!DryRun)
        {
            var check = stamp.Check(manifest, options, InnerBuild ? null : interval);
            if (check.Current)
            {
                UpToDate = true;
                Log.LogMessage(MessageImportance.Normal, $"RemoteApply: {check.Reason}; nothing verified or written");
                return;
            }

            Log.LogMessage(MessageImportance.Normal, $"RemoteApply: verifying and applying: {check.Reason}");
        }

        var result = await new ApplyManifest(context).ExecuteAsync(options, CancellationToken);
        Changes = result.Changes.Select(change =>
        {
            var item = new TaskItem(change.Target);
            item.SetMetadata("Kind", change.Kind);
            item.SetMetadata("Action", change.Action);
            item.SetMetadata("Detail", change.Detail);
            return (ITaskItem)item;
        }).ToArray();
        foreach (var change in result.Changes.Where(c => c.Action != "unchanged"))
        {
            Log.LogMessage(MessageImportance.High, $"dotnet remote: {change.Kind} {change.Target}: {change.Action} ({change.Detail}){(DryRun ? " [dry run]" : "")}");
        }

        if (!DryRun)
        {
            stamp.Record(manifest, options);
        }
    }

    /// <summary>The item's element in the project file, or the manifest entry's <c>file:line</c>, that the error names.</summary>
    private protected override (string? File, int Line) Locate(RemoteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ConfigFileException { FilePath.Length: > 0 })
        {
            return base.Locate(exception);
        }

        foreach (var (origin, (itemType, item)) in _origins)
        {
            if (exception.Message.StartsWith(origin + ":", StringComparison.Ordinal))
            {
                return (DefaultFile, ItemLocator.Line(DefaultFile, itemType, item.ItemSpec));
            }
        }

        var entry = FileAndLine().Match(exception.Message);
        return entry.Success && File.Exists(entry.Groups["file"].Value)
            ? (entry.Groups["file"].Value, int.Parse(entry.Groups["line"].Value, CultureInfo.InvariantCulture))
            : base.Locate(exception);
    }

    private Manifest BuildManifest(RemoteContext context)
    {
        var builder = new ManifestBuilder(context.Environment, DefaultFile ?? "project");
        foreach (var item in Endpoints)
        {
            var origin = Remember("RemoteEndpoint", item);
            builder.AddRemote(item.ItemSpec, Metadata(item, "Uri") ?? throw Missing(origin, "Uri"), Metadata(item, "TokenEnvironmentVariable"), Flag(item, "Insecure"), Flag(item, "Use"), origin);
        }

        foreach (var item in Keyservers)
        {
            var origin = Remember("RemoteKeyserver", item);
            var order = int.TryParse(Metadata(item, "Order"), out var parsed) ? parsed : (int?)null;
            builder.AddKeyserver(item.ItemSpec, Metadata(item, "Remote") ?? "", order, Flag(item, "Insecure"), origin);
        }

        foreach (var item in Logins)
        {
            var trustRealms = (Metadata(item, "TrustRealms") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            builder.AddLogin(item.ItemSpec, Metadata(item, "Username"), Metadata(item, "UsernameEnvironmentVariable"), Metadata(item, "PasswordEnvironmentVariable"), Flag(item, "Insecure"), trustRealms, Remember("RemoteLogin", item));
        }

        foreach (var item in Manifests)
        {
            Remember("RemoteManifest", item);
            builder.Include(ManifestReader.Load(item.GetMetadata("FullPath"), context.Environment));
        }

        return builder.Build();
    }

    private string Remember(string itemType, ITaskItem item)
    {
        var origin = Origin(itemType, item);
        _origins.TryAdd(origin, (itemType, item));
        return origin;
    }

    /// <summary>Whether this build runs in CI: any of <see cref="CiVariables"/> set (to anything but <c>false</c>/<c>0</c>).</summary>
    private static bool InCi(RemoteContext context) =>
        CiVariables.Any(name => context.Environment(name) is { Length: > 0 } value
            && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0");

    /// <summary><c>24h</c>, <c>90m</c>, <c>30s</c>, <c>2d</c>, a TimeSpan (<c>1.00:00:00</c>), or <c>0</c>; empty: 24 hours.</summary>
    internal static TimeSpan ParseInterval(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromHours(24);
        }

        var unit = IntervalWithUnit().Match(text);
        if (unit.Success && double.TryParse(unit.Groups["value"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return unit.Groups["unit"].Value switch
            {
                "d" => TimeSpan.FromDays(value),
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromSeconds(value),
            };
        }

        return text.Trim() == "0" ? TimeSpan.Zero
            : TimeSpan.TryParseExact(text.Trim(), "c", CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span
            : throw new RemoteException(RemoteErrorCodes.InvalidArgument, $"RemoteVerifyInterval '{text}' is not a duration (24h, 30m, 45s, 2d, 1.00:00:00 or 0)");
    }

    private static RemoteException Missing(string origin, string metadata) =>
        new(RemoteErrorCodes.ManifestInvalid, $"{origin}: metadata {metadata} is required");

    [GeneratedRegex(@"^(?<value>\d+(\.\d+)?)\s*(?<unit>d|h|m|s)$")]
    private static partial Regex IntervalWithUnit();

    [GeneratedRegex(@"^(?<file>(/|[A-Za-z]:\\)[^\n]*?):(?<line>\d+): ")]
    private static partial Regex FileAndLine();
}
