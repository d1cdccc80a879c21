using System.Text;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Exposure;
using Xunit;

namespace Exhunt.Tests.Exposure;

/// <summary>The #Version header of an Exchange log is parsed from the bytes the scan's reader read; the rule reads the
/// head itself only when the scan did not.</summary>
public class LogHeaderFromScanTests
{
    private const string Head = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2375.007\r\n#Log-type: HttpProxy Logs\r\n" +
                                "#Date: 2021-03-02T00:00:05.000Z\r\n#Fields: DateTime,RequestId\r\n2021-03-02T00:00:05.000Z,abc\r\n";

    [Fact]
    public void Parses_software_version_and_date_from_the_head()
    {
        var h = LayoutBuildRule.ParseHeader(Encoding.UTF8.GetBytes(Head));
        Assert.True(h.Exchange);
        Assert.Equal("15.1.2375.7", h.Build?.ToString());
        Assert.Equal(new DateTime(2021, 3, 2, 0, 0, 5, DateTimeKind.Utc), h.Date);
    }

    [Fact]
    public void A_header_the_scan_parsed_is_used_without_opening_the_file_and_says_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes(Head);
        var reread = new EvidenceFile("Logging/HttpProxy/Owa/HttpProxy_2021030200-1.LOG", bytes.Length, null, () => new MemoryStream(bytes)) { Kind = ArtifactKind.HttpProxy };
        var scanned = new EvidenceFile("Logging/HttpProxy/Owa/HttpProxy_2021030200-1.LOG", bytes.Length, null, () => throw new IOException("opened again"))
            { Kind = ArtifactKind.HttpProxy, LogHeader = LayoutBuildRule.ParseHeader(bytes) };
        var a = new ScanContext();
        var b = new ScanContext();
        LayoutBuildRule.FromLogHeader(reread, a);
        LayoutBuildRule.FromLogHeader(scanned, b);
        var fromReread = Assert.Single(a.Exposure.Snapshot());
        var fromScan = Assert.Single(b.Exposure.Snapshot());
        Assert.Equal(fromReread, fromScan);
    }
}
