using Exhunt.Cli;

namespace Exhunt.Tests.Shipping;

/// <summary>Exit 70 (internal error) prints one clear line; the stack only with EXHUNT_DEBUG=1.</summary>
public class ShippingInternalErrorTests
{
    private static Exception Thrown()
    {
        try { throw new InvalidOperationException("boom\r\nsecond line\u001b[31m"); }
        catch (Exception e) { return e; }
    }

    [Fact]
    public void Without_the_debug_variable_an_internal_error_is_one_line_naming_the_error_and_how_to_get_the_stack()
    {
        var text = CliRunner.InternalError(Thrown(), null);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain(" at ", text);
        Assert.StartsWith("exhunt: internal error: InvalidOperationException: boom", text);
        Assert.Contains("EXHUNT_DEBUG=1", text);
        Assert.Equal(text, CliRunner.InternalError(Thrown(), "0"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    public void With_the_debug_variable_the_stack_trace_follows(string value)
    {
        var text = CliRunner.InternalError(Thrown(), value);
        Assert.Contains("System.InvalidOperationException: boom", text);
        Assert.Contains(" at ", text);
        Assert.Contains(nameof(Thrown), text);
    }
}
