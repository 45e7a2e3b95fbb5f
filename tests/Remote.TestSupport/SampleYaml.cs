namespace DotnetRemote.Testing;

/// <summary>
/// The remote.yaml texts the specification quotes, verbatim: the two renderings of one state are files of their own
/// (Samples/*.yaml, embedded), byte for byte as Apptainer writes them.
/// </summary>
internal static class SampleYaml
{
    /// <summary>docs/compatibility.md#yaml-format: Apptainer v1.2.5's rendering (2 spaces, indentless lists).</summary>
    public static string V125Example { get; } = Read("v125-example.yaml");

    /// <summary>docs/compatibility.md#yaml-format: the same state as Apptainer HEAD writes it (4 spaces, indented lists).</summary>
    public static string HeadExample { get; } = Read("head-example.yaml");

    /// <summary>The shipped system file (docs/compatibility.md#system-default).</summary>
    public const string StockSystem = """
        Active: DefaultRemote
        Remotes:
          DefaultRemote:
            URI: cloud.apptainer.org
            System: true
            Exclusive: false

        """;

    private static string Read(string name)
    {
        using var stream = typeof(SampleYaml).Assembly.GetManifestResourceStream("DotnetRemote.Testing.Samples." + name)
            ?? throw new InvalidOperationException($"Samples/{name} is not embedded in the test kit");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
