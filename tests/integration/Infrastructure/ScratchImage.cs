using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DotNet.Testcontainers.Builders;

namespace DotnetRemote.Integration.Tests.Infrastructure;

/// <summary>
/// A <c>FROM scratch</c> image assembled from files of this (Debian) machine: binaries with their <c>ldd</c>
/// dependencies, whole directories and generated files. The tag carries a hash of every input, so an image
/// that already exists is reused and a changed input (package upgrade, rebuilt fake server) gives a new tag.
/// Built through Testcontainers' image builder and kept (not cleaned up) for later runs.
/// </summary>
internal sealed class ScratchImage
{
    private readonly string name;
    private readonly SortedDictionary<string, string> hostFiles = new(StringComparer.Ordinal);   // image path -> host path
    private readonly SortedDictionary<string, byte[]> generatedFiles = new(StringComparer.Ordinal);
    private readonly List<string> dockerfileLines = [];
    private readonly Lazy<Task<string>> built;

    public ScratchImage(string name)
    {
        this.name = name;
        built = new Lazy<Task<string>>(BuildAsync);
    }

    /// <summary>Copies the binaries and every shared library <c>ldd</c> lists for them, at their host paths.</summary>
    public ScratchImage WithBinaries(params string[] paths)
    {
        foreach (var path in paths)
        {
            hostFiles[path] = path;
            foreach (var library in LddDependencies(path))
            {
                hostFiles[library] = library;
            }
        }
        return this;
    }

    /// <summary>Copies a host directory tree to <paramref name="imagePath"/> (symbolic links are followed).</summary>
    public ScratchImage WithDirectory(string hostPath, string imagePath, Func<string, bool>? include = null)
    {
        foreach (var file in Directory.EnumerateFiles(hostPath, "*", SearchOption.AllDirectories))
        {
            if (include is null || include(file))
            {
                hostFiles[imagePath.TrimEnd('/') + "/" + Path.GetRelativePath(hostPath, file)] = file;
            }
        }
        return this;
    }

    public ScratchImage WithFile(string imagePath, string content) => WithFile(imagePath, Encoding.UTF8.GetBytes(content));

    public ScratchImage WithFile(string imagePath, byte[] content)
    {
        generatedFiles[imagePath] = content;
        return this;
    }

    /// <summary>An empty directory (build contexts drop empty directories, so it holds a <c>.keep</c> file).</summary>
    public ScratchImage WithEmptyDirectory(string imagePath) => WithFile(imagePath.TrimEnd('/') + "/.keep", "");

    /// <summary>A Dockerfile line after <c>FROM scratch</c> and <c>COPY rootfs/ /</c>.</summary>
    public ScratchImage WithDockerfileLine(string line)
    {
        dockerfileLines.Add(line);
        return this;
    }

    /// <summary>Builds the image once per process (and only when its tag is missing); returns the tag.</summary>
    public Task<string> GetAsync() => built.Value;

    private string Dockerfile => "FROM scratch\nCOPY rootfs/ /\n" + string.Join("\n", dockerfileLines) + "\n";

    private async Task<string> BuildAsync()
    {
        var repository = $"dotnet-remote-it/{name}";
        var tag = $"{repository}:{await ComputeHashAsync()}";
        if (await DockerEngine.ImageExistsAsync(tag))
        {
            return tag;
        }

        var context = Path.Combine(TestTemp.Root, $"context-{name}-{Guid.NewGuid():N}");
        try
        {
            var rootfs = Path.Combine(context, "rootfs");
            foreach (var (imagePath, hostPath) in hostFiles)
            {
                var target = rootfs + imagePath;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(hostPath, target);   // follows symlinks, keeps the mode bits
            }
            foreach (var (imagePath, content) in generatedFiles)
            {
                var target = rootfs + imagePath;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, content);
            }
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), Dockerfile);

            var image = new ImageFromDockerfileBuilder()
                .WithDockerfileDirectory(context)
                .WithDockerfile("Dockerfile")
                .WithName(tag)
                .WithCleanUp(false)
                .WithDeleteIfExists(false)
                .Build();
            await image.CreateAsync();
            try
            {
                await DockerEngine.RemoveOtherTagsAsync(repository, tag);
            }
            catch (HttpRequestException)
            {
                // Best effort: stale images only cost disk space.
            }
            return tag;
        }
        finally
        {
            try
            {
                Directory.Delete(context, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<string> ComputeHashAsync()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Dockerfile));
        foreach (var (imagePath, hostPath) in hostFiles)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{imagePath}\n"));
            await using var stream = File.OpenRead(hostPath);
            hash.AppendData(await SHA256.HashDataAsync(stream));
        }
        foreach (var (imagePath, content) in generatedFiles)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"\n{imagePath}\n"));
            hash.AppendData(SHA256.HashData(content));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static IEnumerable<string> LddDependencies(string path)
    {
        var start = new ProcessStartInfo("ldd", [path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot run ldd");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        foreach (var line in output.Split('\n'))
        {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            var text = line.Trim();
            var arrow = text.IndexOf("=> ", StringComparison.Ordinal);
            var candidate = arrow >= 0 ? text[(arrow + 3)..] : text;
            var space = candidate.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                candidate = candidate[..space];
            }
            if (candidate.StartsWith('/') && File.Exists(candidate))
            {
                yield return candidate;
            }
        }
    }
}
