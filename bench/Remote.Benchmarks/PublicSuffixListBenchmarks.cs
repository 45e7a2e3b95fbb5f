using BenchmarkDotNet.Attributes;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Benchmarks;

/// <summary>
/// The realm rule's Public Suffix List: parsing the whole snapshot (what the first cross-host realm judgement costs,
/// once per process) and one registrable-domain lookup afterwards.
/// </summary>
[MemoryDiagnoser]
public class PublicSuffixListBenchmarks
{
    private string _text = "";
    private PublicSuffixList _list = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The snapshot the engine embeds (Registries/PublicSuffix/public_suffix_list.dat), as Default reads it.
        using var snapshot = typeof(PublicSuffixList).Assembly.GetManifestResourceStream("DotnetRemote.Core.public_suffix_list.dat")
            ?? throw new InvalidOperationException("the engine embeds no public_suffix_list.dat");
        using var reader = new StreamReader(snapshot);
        _text = reader.ReadToEnd();
        _list = PublicSuffixList.Default;
    }

    [Benchmark]
    public int ParseSnapshot() => PublicSuffixList.Parse(new StringReader(_text)).RuleCount;

    [Benchmark]
    public string? RegistrableDomain() => _list.RegistrableDomain("registry.tenant-a.co.uk");
}
