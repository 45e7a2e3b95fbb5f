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
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Remote.slnx")))
        {
            directory = directory.Parent;
        }

        _text = File.ReadAllText(Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Remote.slnx not found above the benchmark"), "src", "Remote.Core", "Registries", "PublicSuffix", "public_suffix_list.dat"));
        _list = PublicSuffixList.Default;
    }

    [Benchmark]
    public int ParseSnapshot() => PublicSuffixList.Parse(new StringReader(_text)).RuleCount;

    [Benchmark]
    public string? RegistrableDomain() => _list.RegistrableDomain("registry.tenant-a.co.uk");
}
