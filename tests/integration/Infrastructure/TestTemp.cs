namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// The parent of every sandbox, image context and package folder these tests make: one per user, because a shared
/// folder in /tmp belongs to whoever ran the tests first and another user could not write into it. It stays
/// traversable (the umask's mode): tests run the tool as user nobody inside sandboxes below it.
/// </summary>
internal static class TestTemp
{
    public static string Root { get; } = Create();

    private static string Create()
    {
        var root = Path.Combine(Path.GetTempPath(), $"dotnet-remote-it-{Environment.UserName}");
        Directory.CreateDirectory(root);
        return root;
    }
}
