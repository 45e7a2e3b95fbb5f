using DotnetRemote.Core.Remotes;
using DotnetRemote.Tool.Cli;

namespace DotnetRemote.Tool.Commands;

/// <summary>The seed's three-section <c>remote list</c> output (docs/compatibility.md#remote-list).</summary>
internal static class ListingRenderer
{
    public static void Write(ListRemotesResult listing, TextWriter output)
    {
        output.Write("Cloud Services Endpoints\n========================\n\n");
        var remotes = new TextTable().Row("NAME", "URI", "ACTIVE", "GLOBAL", "EXCLUSIVE", "INSECURE");
        foreach (var remote in listing.Remotes)
        {
            remotes.Row(remote.Name, remote.Uri, YesNo(remote.Active), YesNo(remote.Global), YesNo(remote.Exclusive), YesNo(remote.Insecure));
        }

        remotes.WriteTo(output);

        if (listing.Keyservers is { } keyservers)
        {
            output.Write("\nKeyservers\n==========\n\n");
            var table = new TextTable().Row("URI", "GLOBAL", "INSECURE", "ORDER");
            foreach (var keyserver in keyservers)
            {
                // The seed prints YES here for every keyserver, whatever its remote (docs/compatibility.md#remote-list).
                table.Row(keyserver.Uri, "YES", YesNo(keyserver.Insecure), keyserver.Order + (keyserver.Own ? "*" : ""));
            }

            table.WriteTo(output);
            output.Write("\n* Active cloud services keyserver\n");
        }

        if (listing.Logins.Count > 0)
        {
            output.Write("\nAuthenticated Logins\n=================================\n\n");
            var table = new TextTable().Row("URI", "INSECURE");
            foreach (var login in listing.Logins)
            {
                table.Row(login.Uri, YesNo(login.Insecure));
            }

            table.WriteTo(output);
        }
    }

    private static string YesNo(bool value) => value ? "YES" : "NO";
}
