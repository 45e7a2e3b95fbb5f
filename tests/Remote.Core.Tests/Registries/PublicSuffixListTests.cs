using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class PublicSuffixListTests
{
    [Theory]
    [InlineData("auth.docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("registry.tenant-a.co.uk", "tenant-a.co.uk")]
    [InlineData("x.github.io", "x.github.io")]
    [InlineData("a.b.x.github.io", "x.github.io")]
    [InlineData("REGISTRY.Example.COM.", "example.com")]
    [InlineData("registry-a.test", "registry-a.test")]
    [InlineData("foo.bar.ck", "foo.bar.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("a.www.ck", "www.ck")]
    [InlineData("registry.公司.cn", "registry.xn--55qx5d.cn")]
    [InlineData("registry.xn--55qx5d.cn", "registry.xn--55qx5d.cn")]
    public void Registrable_domains_follow_the_list_including_private_wildcard_exception_and_idn_rules(string host, string expected)
    {
        Assert.Equal(expected, PublicSuffixList.Default.RegistrableDomain(host));
    }

    [Theory]
    [InlineData("co.uk")]
    [InlineData("github.io")]
    [InlineData("bar.ck")]
    [InlineData("localhost")]
    [InlineData("com")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("a..b")]
    [InlineData("")]
    public void Public_suffixes_addresses_and_malformed_names_have_no_registrable_domain(string host)
    {
        Assert.Null(PublicSuffixList.Default.RegistrableDomain(host));
    }

    [Fact]
    public void The_embedded_snapshot_is_the_whole_list()
    {
        Assert.True(PublicSuffixList.Default.RuleCount > 9000, $"only {PublicSuffixList.Default.RuleCount} rules");
        Assert.Equal("co.uk", PublicSuffixList.Default.PublicSuffix("a.b.co.uk"));
    }

    [Fact]
    public void Parse_reads_rules_wildcards_and_exceptions_and_ignores_comments_and_trailing_text()
    {
        var list = PublicSuffixList.Parse(new StringReader("// comment\n\nexample\n*.wild.example trailing words\n!keep.wild.example\n  spaced.example  \nbad*rule\n"));

        Assert.Equal(4, list.RuleCount);
        Assert.Equal("a.b.wild.example", list.RegistrableDomain("x.a.b.wild.example"));
        Assert.Equal("keep.wild.example", list.RegistrableDomain("x.keep.wild.example"));
        Assert.Equal("a.spaced.example", list.RegistrableDomain("x.a.spaced.example"));
        Assert.Equal("other.example", list.RegistrableDomain("x.other.example"));
    }
}
