using Exhunt.Reports;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Reports;

public class CsvTimelineTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+cmd", "\"'+cmd\"")]
    [InlineData("@SUM(1)", "\"'@SUM(1)\"")]
    [InlineData("a\r\nb", "\"a  b\"")]
    [InlineData("plain, text", "\"plain, text\"")]
    public void Cells_are_quoted_and_formulas_defused(string value, string expected) =>
        Assert.Equal(expected, CsvTimeline.Cell(value));

    [Fact]
    public void Timeline_has_timesketch_columns_and_one_row_per_finding()
    {
        using var dir = new Fixture.TempDir();
        dir.Write("Logging/HttpProxy/Owa/a.LOG", SampleLogs.HttpProxyHeader +
            SampleLogs.HttpProxyLine("2021-03-03T02:14:05.123Z", "/owa/MARKED", "203.0.113.7", 200, "=evil()"));
        var result = new Scanner(new ScanOptions { Rules = TestRules.Set() }).Scan(dir.Path);
        var o = new StringWriter();
        CsvTimeline.Write(result, o);
        var lines = o.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.StartsWith("datetime,timestamp_desc,message,", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("\"2021-03-03T02:14:05.123+00:00\",\"exhunt detection\",\"[high] Request for a marked URL from 203.0.113.7\"", lines[1]);
        Assert.Contains("\"'=evil()\"", lines[1]);
    }
}
