using System.Text.Json;
using DotnetRemote.Core.IO;

namespace DotnetRemote.Core.Tests.Hostile;

public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("""{"a":1,"a":2}""", "a")]
    [InlineData("""{"auths":{"x":{},"y":{},"x":{}}}""", "x")]
    [InlineData("""[{"k":1},{"k":1,"k":2}]""", "k")]
    [InlineData("""{"\u0061":1,"a":2}""", "a")]
    public void A_duplicate_member_at_any_depth_is_refused_naming_it(string json, string name)
    {
        var ex = Assert.Throws<JsonException>(() => StrictJson.ParseNode(json));
        Assert.StartsWith($"Duplicate property '{name}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}""")]
    [InlineData("""{"auths":{"x":{"auth":"e30="}},"credHelpers":{"x":"pass"}}""")]
    public void The_same_name_in_different_objects_is_fine(string json)
    {
        Assert.NotNull(StrictJson.ParseNode(json));
        using var document = StrictJson.ParseDocument(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_refused_at_parse_time()
    {
        Assert.Throws<JsonException>(() => StrictJson.ParseNode("""{"a":"\ud800"}"""));
        Assert.Throws<JsonException>(() => StrictJson.ParseNode("""{"\udc00":1}"""));
    }
}
