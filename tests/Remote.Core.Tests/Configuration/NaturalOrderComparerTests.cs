using DotnetRemote.Core.Configuration;

namespace DotnetRemote.Core.Tests.Configuration;

/// <summary>go-yaml's <c>keyList.Less</c>, the order remote names are written in.</summary>
public class NaturalOrderComparerTests
{
    [Theory]
    [InlineData("a2", "a10")]
    [InlineData("a9", "a10")]
    [InlineData("r2", "r19")]
    // gopkg.in/yaml.v2 2.4.0 (Apptainer 1.2.5): a letter after equal digits sorts after a digit, so these
    // two go the "wrong" way round; eng/yamlv2-reference shows it (RemoteYamlV2ReferenceTests).
    [InlineData("x10y", "x1y")]
    [InlineData("a", "b")]
    [InlineData("B", "a")]
    [InlineData("Z", "a")]
    [InlineData("DefaultRemote", "SylabsCloud")]
    [InlineData("SylabsCloud", "lab-http")]
    [InlineData("_x", "a")]
    [InlineData("-x", "a")]
    [InlineData("1", "a")]
    [InlineData("_x", "B")]
    [InlineData("_", "9")]
    [InlineData("a", "ab")]
    [InlineData("", "a")]
    [InlineData("a12", "a1b")]
    [InlineData("a-b", "ab")]
    [InlineData("a1", "a01")]
    [InlineData("v1.9", "v1.10")]
    public void First_sorts_before_second(string first, string second)
    {
        Assert.True(NaturalOrderComparer.Instance.Compare(first, second) < 0, $"{first} < {second}");
        Assert.True(NaturalOrderComparer.Instance.Compare(second, first) > 0, $"{second} > {first}");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("a10")]
    [InlineData("")]
    public void A_name_equals_itself(string name)
    {
        Assert.Equal(0, NaturalOrderComparer.Instance.Compare(name, name));
    }

    [Fact]
    public void A_mixed_list_sorts_as_go_yaml_sorts_it()
    {
        string[] names = ["r10", "b", "r2", "Alpha", "r1", "alpha", "_tmp", "r20", "9lives", "Beta"];

        var sorted = names.Order(NaturalOrderComparer.Instance).ToArray();

        Assert.Equal(["_tmp", "9lives", "Alpha", "Beta", "alpha", "b", "r1", "r2", "r10", "r20"], sorted);
    }
}
