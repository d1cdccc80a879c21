using System.Text;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Readers;

/// <summary>Junk is not records: lines that do not parse as their format are counted as unparsed, never as records,
/// and coverage windows come only from plausible timestamps.</summary>
public sealed class PlausibilityTests
{
    private const string ProxyPath = "Logging/HttpProxy/Ecp/HttpProxy_2021030206-1.LOG";

    private const string HttpProxyHeader =
        "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T02:00:00.000Z\r\n" +
        "#Fields: DateTime,RequestId,UrlStem,AuthenticatedUser,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus,Method,RoutingHint\r\n";

    private static ReaderStats ReadBytes(string path, byte[] bytes, out List<LogRecordCopy> rows, bool prefilter = false)
    {
        var stats = new ReaderStats();
        var file = Fixture.File(path, bytes);
        var list = new List<LogRecordCopy>();
        using var s = file.Open();
        new TextLogReader(file, stats).Read(s, r => list.Add(LogRecordCopy.Of(r)), prefilter ? (_, _) => { } : null);
        rows = list;
        return stats;
    }

    [Fact]
    public void Random_bytes_at_a_log_path_are_no_records_and_no_coverage()
    {
        var bytes = new byte[4 << 20];
        new Random(42).NextBytes(bytes);
        var stats = ReadBytes(ProxyPath, bytes, out var rows);
        Assert.Empty(rows);
        Assert.Equal(0, stats.Records);
        Assert.Null(stats.First);
        Assert.Null(stats.Last);
        Assert.True(stats.Unparsed > 10_000, $"unparsed {stats.Unparsed}");
        Assert.NotNull(stats.Unreadable);
        Assert.StartsWith("unreadable: not a readable httpproxy log", stats.Errors[0]);
    }

    [Fact]
    public void A_scrap_of_text_is_not_a_timestamp()
    {
        var stats = ReadBytes(ProxyPath, "Z2-5\n"u8.ToArray(), out var rows);
        Assert.Empty(rows);
        Assert.Equal(0, stats.Records);
        Assert.Null(stats.First);
        Assert.Equal(1, stats.Unparsed);
        Assert.False(Timestamps.TryParseIso("Z2-5", out _));
        Assert.False(Timestamps.TryParseIso("5", out _));
        Assert.False(Timestamps.TryParseIso("March 3", out _));
        Assert.True(Timestamps.TryParseIso("2021-03-07T15:04:04.5460000+01:00", out var offset));
        Assert.Equal(new DateTime(2021, 3, 7, 14, 4, 4, 546, DateTimeKind.Utc), offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Junk_lines_in_a_real_log_are_counted_as_unparsed_and_the_real_lines_are_read(bool prefilter)
    {
        var text = HttpProxyHeader
            + "2021-03-03T02:14:05.123Z,a,/owa/,,,UA,1.1.1.1,200,GET,\r\n"
            + "garbage without any separator\r\n"
            + "not,a,timestamp,at,all\r\n"
            + "2021-03-03T02:15:05.123Z,b,/owa/,,,UA,1.1.1.2,200,GET,\r\n"
            + "2031-03-03T02:15:05.123Z,c,/owa/,,,UA,1.1.1.3,200,GET,\r\n"
            + "2009-03-03T02:15:05.123Z,d,/owa/,,,UA,1.1.1.4,200,GET,\r\n";
        var stats = ReadBytes(ProxyPath, Encoding.UTF8.GetBytes(text), out var rows, prefilter);
        Assert.Equal(4, stats.Records);
        Assert.Equal(2, stats.Unparsed);
        Assert.Null(stats.Unreadable);
        Assert.Equal(new DateTime(2021, 3, 3, 2, 14, 5, 123, DateTimeKind.Utc), stats.First);
        Assert.Equal(new DateTime(2021, 3, 3, 2, 15, 5, 123, DateTimeKind.Utc), stats.Last);
        Assert.Contains(stats.Errors, e => e.Contains("2 of 6 lines do not parse as httpproxy", StringComparison.Ordinal) && e.Contains("first at line 7", StringComparison.Ordinal));
        Assert.Contains(stats.Errors, e => e.Contains("2 records carry a time before 2012 or after today", StringComparison.Ordinal));
        if (!prefilter) Assert.Equal(4, rows.Count);
    }

    [Fact]
    public void A_log_with_binary_lines_reports_them_once_not_per_line()
    {
        var text = HttpProxyHeader + "2021-03-03T02:14:05.123Z,a,/owa/,,,UA,1.1.1.1,200,GET,\r\n" + string.Concat(Enumerable.Repeat("\0\0\0\0\r\n", 500));
        var stats = ReadBytes(ProxyPath, Encoding.UTF8.GetBytes(text), out _);
        Assert.Equal(1, stats.Records);
        Assert.Equal(500, stats.Unparsed);
        Assert.Equal(500, stats.Skipped);
        var message = Assert.Single(stats.Errors);
        Assert.Contains("mostly unreadable: 500 of 501 lines", message);
        Assert.Contains("500 with binary bytes", message);
    }

    [Fact]
    public void Scanning_fifty_megabytes_of_random_bytes_gives_no_records_and_no_window()
    {
        using var dir = new Fixture.TempDir();
        var bytes = new byte[50_000_000];
        new Random(7).NextBytes(bytes);
        dir.Write(ProxyPath, bytes);
        dir.Write("Logging/HttpProxy/Owa/HttpProxy_2021030206-1.LOG", "Z2-5\n");
        var result = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(dir.Path);
        Assert.All(result.Artifacts, a => Assert.Equal(0, a.Stats.Records));
        Assert.All(result.Artifacts, a => Assert.NotNull(a.Stats.Unreadable));
        var coverage = Assert.Single(result.Coverage);
        Assert.Equal((0L, (DateTime?)null, (DateTime?)null), (coverage.Records, coverage.First, coverage.Last));
    }
}
