namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>The registry clients the interop tests drive, where <c>eng/setup-test-env.sh</c> installs them.</summary>
internal static class ClientPrograms
{
    public const string Skopeo = "/usr/bin/skopeo";
    public const string Podman = "/usr/bin/podman";
    public const string DockerCli = "/usr/local/bin/docker";

    /// <summary>Skips the test when <paramref name="program"/> is not installed, saying how to install it.</summary>
    public static void Require(string program) =>
        Skip.IfNot(File.Exists(program), $"{program} is missing; run `sudo bash eng/setup-test-env.sh`");
}
