namespace DotnetRemote.Testing;

/// <summary>Expected <c>remote list</c> outputs (docs/compatibility.md#remote-list), built from the rows so the column math is visible.</summary>
public static class ListingText
{
    public const string Header = "Cloud Services Endpoints\n========================\n\n";

    public const string KeyserverLegend = "\n* Active cloud services keyserver\n";

    /// <summary>Example A: a fresh user with the stock system file.</summary>
    public const string FreshMachine = """
        Cloud Services Endpoints
        ========================

        NAME           URI                  ACTIVE  GLOBAL  EXCLUSIVE  INSECURE
        DefaultRemote  cloud.apptainer.org  YES     YES     NO         NO

        Keyservers
        ==========

        URI                       GLOBAL  INSECURE  ORDER
        https://keys.openpgp.org  YES     NO        1*

        * Active cloud services keyserver

        """;
}
