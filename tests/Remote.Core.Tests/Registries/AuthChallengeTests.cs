using System.Net;
using DotnetRemote.Core.Registries;

namespace DotnetRemote.Core.Tests.Registries;

public class AuthChallengeTests
{
    public static TheoryData<string, string[]> Headers => new()
    {
        { "Basic realm=\"Registry Realm\"", ["Basic|realm=Registry Realm"] },
        {
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"",
            ["Bearer|realm=https://auth.docker.io/token;service=registry.docker.io;scope=repository:library/alpine:pull"]
        },
        { "Bearer realm=\"https://h/token\",scope=\"repository:a:pull,push\"", ["Bearer|realm=https://h/token;scope=repository:a:pull,push"] },
        { "Basic realm=\"a\", Bearer realm=\"b\", service=\"s\"", ["Basic|realm=a", "Bearer|realm=b;service=s"] },
        { "Bearer realm=\"quote \\\"inside\\\"\"", ["Bearer|realm=quote \"inside\""] },
        { "BEARER Realm=https://h/t , Service = reg", ["BEARER|Realm=https://h/t;Service=reg"] },
        { "Negotiate, Basic realm=x", ["Negotiate|", "Basic|realm=x"] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Parses_schemes_and_parameters(string header, string[] expected)
    {
        var parsed = AuthChallenge.Parse(header)
            .Select(c => $"{c.Scheme}|{string.Join(';', c.Parameters.Select(p => $"{p.Key}={p.Value}"))}")
            .ToArray();

        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void Parameter_names_are_case_insensitive_and_schemes_are_recognised()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("bearer REALM=\"https://h/t\""));

        Assert.True(challenge.IsBearer);
        Assert.False(challenge.IsBasic);
        Assert.Equal("https://h/t", challenge["realm"]);
        Assert.Null(challenge["service"]);
    }

    [Fact]
    public void Reads_every_WWW_Authenticate_header_of_a_response()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"r\"");
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://h/t\",service=\"s\"");

        var challenges = AuthChallenge.FromResponse(response);

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
        Assert.Equal("s", challenges[1]["service"]);
    }
}
