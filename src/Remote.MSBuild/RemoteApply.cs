using DotnetRemote.Core;
using DotnetRemote.Core.Manifests;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;

namespace DotnetRemote.MSBuild;

/// <summary>
/// Applies <c>RemoteEndpoint</c>, <c>RemoteKeyserver</c>, <c>RemoteLogin</c> and <c>RemoteManifest</c> items in one
/// verified, all-or-nothing step, exactly as <c>dotnet remote apply</c> does. Items carry environment variable names.
/// </summary>
public sealed class RemoteApply : RemoteTask
{
    public ITaskItem[] Endpoints { get; set; } = [];

    public ITaskItem[] Keyservers { get; set; } = [];

    public ITaskItem[] Logins { get; set; } = [];

    public ITaskItem[] Manifests { get; set; } = [];

    public bool NoVerify { get; set; }

    public bool DryRun { get; set; }

    /// <summary>One item per planned change: ItemSpec the target, metadata Kind, Action, Detail (no secrets).</summary>
    [Output]
    public ITaskItem[] Changes { get; private set; } = [];

    protected override async Task ExecuteAsync(RemoteContext context)
    {
        var builder = new ManifestBuilder(context.Environment, ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode ?? "project");
        foreach (var item in Endpoints)
        {
            var origin = Origin("RemoteEndpoint", item);
            builder.AddRemote(item.ItemSpec, Metadata(item, "Uri") ?? throw Missing(origin, "Uri"), Metadata(item, "TokenEnvironmentVariable"), Flag(item, "Insecure"), Flag(item, "Use"), origin);
        }

        foreach (var item in Keyservers)
        {
            var origin = Origin("RemoteKeyserver", item);
            var order = int.TryParse(Metadata(item, "Order"), out var parsed) ? parsed : (int?)null;
            builder.AddKeyserver(item.ItemSpec, Metadata(item, "Remote") ?? "", order, Flag(item, "Insecure"), origin);
        }

        foreach (var item in Logins)
        {
            var trustRealms = (Metadata(item, "TrustRealms") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            builder.AddLogin(item.ItemSpec, Metadata(item, "Username"), Metadata(item, "UsernameEnvironmentVariable"), Metadata(item, "PasswordEnvironmentVariable"), Flag(item, "Insecure"), trustRealms, Origin("RemoteLogin", item));
        }

        foreach (var item in Manifests)
        {
            builder.Include(ManifestReader.Load(item.GetMetadata("FullPath"), context.Environment));
        }

        var manifest = builder.Build();

        // Straight to the console, never to the build log: a mask line holds the secret it masks.
        foreach (var mask in CiSecretMasking.Commands(manifest.Secrets, context.Environment))
        {
            Console.Out.WriteLine(mask);
        }

        var result = await new ApplyManifest(context).ExecuteAsync(manifest, new ApplyManifestOptions(DryRun, NoVerify));
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
    }

    private static RemoteException Missing(string origin, string metadata) =>
        new(RemoteErrorCodes.ManifestInvalid, $"{origin}: metadata {metadata} is required");
}
