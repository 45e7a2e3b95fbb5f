using System.Text;
using DotnetRemote.Core.Credentials;

namespace DotnetRemote.Core.Tests.Credentials;

/// <summary>The process boundary of <c>get</c>, shared by the tool's fast path and the native helper.</summary>
public sealed class CredentialHelperProcessTests
{
    [Theory]
    [InlineData("io")]
    [InlineData("not-supported")]
    [InlineData("argument")]
    public void A_stdin_that_fails_in_any_way_is_the_protocols_one_line_failure_not_a_stack_trace(string failure)
    {
        using var output = new MemoryStream();
        using var error = new MemoryStream();

        var exit = CredentialHelperProcess.RunGet(new FailingStream(failure), output, error);

        Assert.Equal(1, exit);
        var answer = Encoding.UTF8.GetString(output.ToArray());
        Assert.StartsWith("credential-helper get failed: stdin broke (", answer, StringComparison.Ordinal);
        Assert.EndsWith(")\n", answer, StringComparison.Ordinal);
        Assert.Single(answer.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", answer + Encoding.UTF8.GetString(error.ToArray()), StringComparison.Ordinal);
    }

    private sealed class FailingStream(string failure) : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw (failure switch
        {
            "io" => new IOException("stdin broke (io)"),
            "not-supported" => new NotSupportedException("stdin broke (not supported)"),
            _ => (Exception)new ArgumentException("stdin broke (argument)"),
        });
    }
}
