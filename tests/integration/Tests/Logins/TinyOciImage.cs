using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace DotnetRemote.Integration.Tests.Tests.Logins;

/// <summary>Writes a one-layer OCI image layout (tag <c>latest</c>) for skopeo to push: oci-layout, index.json, blobs.</summary>
internal static class TinyOciImage
{
    public const string Tag = "latest";

    /// <returns>The skopeo source reference, <c>oci:DIR:latest</c>.</returns>
    public static string Write(string directory)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);

        using var layerStream = new MemoryStream();
        using (var tar = new TarWriter(layerStream, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("hello from dotnet remote integration tests\n")),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
            };
            tar.WriteEntry(entry);
        }
        var layer = Blob(blobs, layerStream.ToArray());
        var config = Blob(blobs, Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{layer.Digest}}}"]}}"""));
        var manifest = Blob(blobs, Encoding.UTF8.GetBytes(
            $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{config.Digest}}}","size":{{{config.Size}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{layer.Digest}}}","size":{{{layer.Size}}}}]}"""));

        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(directory, "index.json"),
            $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{manifest.Digest}}}","size":{{{manifest.Size}}},"annotations":{"org.opencontainers.image.ref.name":"{{{Tag}}}"}}]}""");
        return $"oci:{directory}:{Tag}";
    }

    private static (string Digest, long Size) Blob(string blobs, byte[] content)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(blobs, hex), content);
        return ($"sha256:{hex}", content.LongLength);
    }
}
