using DotnetRemote.Core.Context;
using DotnetRemote.Core.Diagnostics;
using DotnetRemote.Core.Logins;
using DotnetRemote.Core.Remotes;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;

namespace DotnetRemote.MSBuild;

/// <summary>Adds a user remote (no login: use <see cref="RemoteLogin"/> with a token variable).</summary>
public sealed class RemoteAdd : RemoteTask
{
    [Required]
    public string Name { get; set; } = "";

    [Required]
    public string Uri { get; set; } = "";

    public bool Insecure { get; set; }

    public bool Use { get; set; }

    private protected override Task ExecuteAsync(RemoteContext context) =>
        new AddRemote(context).ExecuteAsync(new AddRemoteOptions(Name, Uri, Insecure: Insecure, Use: Use));
}

/// <summary>Makes a remote the active one.</summary>
public sealed class RemoteUse : RemoteTask
{
    [Required]
    public string Name { get; set; } = "";

    private protected override Task ExecuteAsync(RemoteContext context) =>
        new UseRemote(context).ExecuteAsync(new UseRemoteOptions(Name));
}

/// <summary>
/// Logs in to a remote (by name; the token comes from <see cref="PasswordEnvironmentVariable"/>), a keyserver or a
/// docker:// / oras:// registry. The secret is read from the named environment variable, never passed in.
/// </summary>
public sealed class RemoteLogin : RemoteTask
{
    /// <summary>A remote's name, a keyserver URL, or a registry URI.</summary>
    [Required]
    public string Target { get; set; } = "";

    public string? Username { get; set; }

    public string? UsernameEnvironmentVariable { get; set; }

    [Required]
    public string PasswordEnvironmentVariable { get; set; } = "";

    public bool Insecure { get; set; }

    /// <summary>Token realm hosts trusted with the credentials although on another domain (registry logins only).</summary>
    public string[] TrustRealms { get; set; } = [];

    private protected override async Task ExecuteAsync(RemoteContext context)
    {
        var origin = $"RemoteLogin '{Target}'";
        var secret = context.Environment(PasswordEnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"{origin}: environment variable {PasswordEnvironmentVariable} is not set");
        var username = !string.IsNullOrEmpty(Username) ? Username
            : string.IsNullOrEmpty(UsernameEnvironmentVariable) ? "" : context.Environment(UsernameEnvironmentVariable) ?? "";
        var target = LoginTarget.Classify(context, Target);
        switch (target.Kind)
        {
            case LoginKind.Remote:
                await new Core.Logins.RemoteLogin(context).ExecuteAsync(target.Value, secret);
                break;
            case LoginKind.Keyserver:
                await new KeyserverLogin(context).ExecuteAsync(new KeyserverLoginOptions(target.Value, username, secret, Insecure));
                break;
            default:
                await new RegistryLogin(context).ExecuteAsync(new RegistryLoginOptions { Uri = target.Value, Username = username, Password = secret, Insecure = Insecure, TrustedRealms = TrustRealms });
                break;
        }
    }
}

/// <summary>Logs out of a remote, keyserver or registry; with <see cref="All"/>, of everything (end of a CI job).</summary>
public sealed class RemoteLogout : RemoteTask
{
    public string? Target { get; set; }

    public bool All { get; set; }

    private protected override async Task ExecuteAsync(RemoteContext context)
    {
        if (All)
        {
            await new LogoutAll(context).ExecuteAsync();
            return;
        }

        var target = LoginTarget.Classify(context, Target);
        switch (target.Kind)
        {
            case LoginKind.Remote:
                await new Core.Logins.RemoteLogout(context).ExecuteAsync(target.Value);
                break;
            case LoginKind.Keyserver:
                await new KeyserverLogout(context).ExecuteAsync(target.Value);
                break;
            default:
                await new RegistryLogout(context).ExecuteAsync(new RegistryLogoutOptions { Uri = target.Value });
                break;
        }
    }
}

/// <summary>Lists remotes and logins as items: <c>Remotes</c> (metadata Uri, Active, Global, Exclusive, Insecure) and <c>Logins</c>.</summary>
public sealed class RemoteList : RemoteTask
{
    [Output]
    public ITaskItem[] Remotes { get; private set; } = [];

    [Output]
    public ITaskItem[] Logins { get; private set; } = [];

    private protected override async Task ExecuteAsync(RemoteContext context)
    {
        var listing = await new ListRemotes(context).ExecuteAsync();
        Remotes = listing.Remotes.Select(remote =>
        {
            var item = new TaskItem(remote.Name);
            item.SetMetadata("Uri", remote.Uri);
            item.SetMetadata("Active", remote.Active.ToString());
            item.SetMetadata("Global", remote.Global.ToString());
            item.SetMetadata("Exclusive", remote.Exclusive.ToString());
            item.SetMetadata("Insecure", remote.Insecure.ToString());
            return (ITaskItem)item;
        }).ToArray();
        Logins = listing.Logins.Select(login =>
        {
            var item = new TaskItem(login.Uri);
            item.SetMetadata("Insecure", login.Insecure.ToString());
            return (ITaskItem)item;
        }).ToArray();
    }
}
