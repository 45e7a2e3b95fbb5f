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
        new AddRemote(context).ExecuteAsync(new AddRemoteOptions(Name, Uri, Insecure: Insecure, Use: Use), CancellationToken);
}

/// <summary>Makes a remote the active one.</summary>
public sealed class RemoteUse : RemoteTask
{
    [Required]
    public string Name { get; set; } = "";

    private protected override Task ExecuteAsync(RemoteContext context) =>
        new UseRemote(context).ExecuteAsync(new UseRemoteOptions(Name), CancellationToken);
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
        var username = !string.IsNullOrEmpty(Username) ? Username
            : string.IsNullOrEmpty(UsernameEnvironmentVariable) ? "" : context.Environment(UsernameEnvironmentVariable) ?? "";
        var target = (await new PrepareLogin(context).ExecuteAsync(new PrepareLoginOptions(Target, username), CancellationToken)).Target;
        var secret = context.Environment(PasswordEnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new RemoteException(RemoteErrorCodes.ManifestVariableMissing, $"RemoteLogin '{Target}': environment variable {PasswordEnvironmentVariable} is not set");
        await new Login(context).ExecuteAsync(new LoginOptions(target, username, secret, Insecure, TrustRealms), CancellationToken);
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
            await new LogoutAll(context).ExecuteAsync(new LogoutAllOptions(), CancellationToken);
            return;
        }

        await new Logout(context).ExecuteAsync(new LogoutOptions(LoginTarget.Classify(context, Target)), CancellationToken);
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
        var listing = await new ListRemotes(context).ExecuteAsync(new ListRemotesOptions(), CancellationToken);
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
