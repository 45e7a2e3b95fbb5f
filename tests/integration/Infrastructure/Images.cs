using System.Runtime.InteropServices;
using DotNet.Testcontainers.Builders;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>The images the fixtures run, all <c>FROM scratch</c> with binaries of Debian packages of this machine.</summary>
internal static class Images
{
    /// <summary>CNCF distribution registry (Debian <c>docker-registry</c>); config and htpasswd are mapped in at start.</summary>
    public static ScratchImage Registry { get; } = new ScratchImage("registry")
        .WithBinaries("/usr/bin/docker-registry")
        .WithEmptyDirectory("/var/lib/registry")
        .WithEmptyDirectory("/tmp")
        .WithDockerfileLine("EXPOSE 5000")
        .WithDockerfileLine("""ENTRYPOINT ["/usr/bin/docker-registry","serve","/etc/docker/registry/config.yml"]""");

    /// <summary>SKS keyserver (Debian <c>sks</c>) with an empty KeyDB built at image build time; HKP on 11371.</summary>
    public static ScratchImage Sks { get; } = new ScratchImage("sks")
        .WithBinaries("/usr/sbin/sks")
        .WithFile("/etc/sks/sksconf", "hostname: keys.test\nhkp_address: 0.0.0.0\nhkp_port: 11371\nrecon_address: 0.0.0.0\nrecon_port: 11370\ndisable_mailsync:\ndontgossip:\n")
        .WithFile("/etc/sks/membership", "")
        .WithFile("/var/lib/sks/www/index.html", "<html><body>sks</body></html>\n")   // GET / -> 200 for the wait strategy
        .WithEmptyDirectory("/var/lib/sks/dump")
        .WithEmptyDirectory("/var/run/sks")
        .WithEmptyDirectory("/tmp")
        .WithDockerfileLine("""RUN ["/usr/sbin/sks","build","-stdoutlog"]""")
        .WithDockerfileLine("EXPOSE 11371")
        .WithDockerfileLine("""ENTRYPOINT ["/usr/sbin/sks","db","-stdoutlog"]""");

    /// <summary>nginx (Debian <c>nginx</c>); <c>/etc/nginx/nginx.conf</c> and its files are mapped in at start.</summary>
    public static ScratchImage Nginx { get; } = new ScratchImage("nginx")
        .WithBinaries("/usr/sbin/nginx")
        .WithFile("/etc/passwd", "root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        .WithFile("/etc/group", "root:x:0:\nnogroup:x:65534:\n")
        .WithEmptyDirectory("/var/log/nginx")
        .WithEmptyDirectory("/var/lib/nginx")
        .WithEmptyDirectory("/tmp")
        .WithDockerfileLine("""ENTRYPOINT ["/usr/sbin/nginx","-e","stderr","-c","/etc/nginx/nginx.conf"]""");

    /// <summary>
    /// The .NET runtime of this machine plus our fake servers (built next to the test assembly, in servers/NAME/).
    /// Run one with the command <c>/app/NAME/NAME.dll</c>; it listens on 8080.
    /// </summary>
    public static ScratchImage FakeServers => LazyFakeServers.Value;

    private static readonly Lazy<ScratchImage> LazyFakeServers = new(CreateFakeServersImage);

    public const int FakeServerPort = 8080;

    /// <summary>Publishes <see cref="FakeServerPort"/> of a <see cref="FakeServers"/> container and waits (60 s at most) until it answers <c>/healthz</c>.</summary>
    public static ContainerBuilder WithFakeServerReady(this ContainerBuilder builder) =>
        builder
            .WithPortBinding(FakeServerPort, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                r => r.ForPath("/healthz").ForPort(FakeServerPort),
                w => w.WithTimeout(TimeSpan.FromSeconds(60))));

    private static ScratchImage CreateFakeServersImage()
    {
        var netcore = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');            // .../shared/Microsoft.NETCore.App/10.0.x
        var root = Path.GetFullPath(Path.Combine(netcore, "..", "..", ".."));
        var aspnet = Newest(Path.Combine(root, "shared", "Microsoft.AspNetCore.App"));
        var fxr = Newest(Path.Combine(root, "host", "fxr"));
        var image = new ScratchImage("fake-servers")
            .WithBinaries(Path.Combine(root, "dotnet"))
            .WithBinaries(Directory.GetFiles(netcore, "*.so").Where(f => !f.EndsWith("libcoreclrtraceptprovider.so", StringComparison.Ordinal)).ToArray())
            .WithBinaries(Directory.GetFiles(fxr, "*.so"))
            .WithDirectory(netcore, "/usr/share/dotnet/shared/Microsoft.NETCore.App/" + Path.GetFileName(netcore), NotTracing)
            .WithDirectory(aspnet, "/usr/share/dotnet/shared/Microsoft.AspNetCore.App/" + Path.GetFileName(aspnet))
            .WithDirectory(fxr, "/usr/share/dotnet/host/fxr/" + Path.GetFileName(fxr));
        // dotnet was found at its host path; the image runs it from /usr/share/dotnet.
        image.WithDirectory(Path.GetDirectoryName(Path.Combine(root, "dotnet"))!, "/usr/share/dotnet", f => f == Path.Combine(root, "dotnet"));
        // System.Security.Cryptography.Native dlopen()s OpenSSL; ldd does not list it.
        image.WithBinaries(FindLibrary("libssl.so.3"), FindLibrary("libcrypto.so.3"));
        var servers = Path.Combine(AppContext.BaseDirectory, "servers");
        foreach (var server in Directory.GetDirectories(servers))
        {
            image.WithDirectory(server, "/app/" + Path.GetFileName(server));
        }
        return image
            .WithEmptyDirectory("/tmp")
            .WithDockerfileLine($"ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_EnableDiagnostics=0 DOTNET_NOLOGO=1 ASPNETCORE_URLS=http://+:{FakeServerPort}")
            .WithDockerfileLine($"EXPOSE {FakeServerPort}")
            .WithDockerfileLine("""ENTRYPOINT ["/usr/share/dotnet/dotnet"]""");
    }

    private static bool NotTracing(string file) => !file.EndsWith("libcoreclrtraceptprovider.so", StringComparison.Ordinal);

    private static string Newest(string directory) =>
        Directory.GetDirectories(directory).OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version()).Last();

    private static string FindLibrary(string name) =>
        new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" }
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{name} not found on this machine");
}
