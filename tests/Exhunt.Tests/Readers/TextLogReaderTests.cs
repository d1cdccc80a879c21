using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Readers;

public class TextLogReaderTests
{
    private const string HttpProxyHeader =
        "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T02:00:00.000Z\r\n" +
        "#Fields: DateTime,RequestId,UrlStem,AuthenticatedUser,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus,Method,RoutingHint\r\n";

    [Fact]
    public void Maps_columns_by_name_and_unescapes_quoted_csv()
    {
        var text = "\uFEFF" + HttpProxyHeader +
            "2021-03-03T02:14:05.123Z,abc,/ecp/y.js,,ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp?#,\"ExchangeServicesClient/0.0.0.0, \"\"quoted\"\"\",203.0.113.7,241,POST,X-BEResource-Cookie\r\n";
        var rows = LogLines.Read("Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG", text);
        var row = Assert.Single(rows);
        Assert.Equal(6, row.Line);
        Assert.Equal(new DateTime(2021, 3, 3, 2, 14, 5, 123, DateTimeKind.Utc), row.Time);
        Assert.Equal("ServerInfo~a]@ex01:444/ecp/proxyLogon.ecp?#", row[Field.AnchorMailbox]);
        Assert.Equal("ExchangeServicesClient/0.0.0.0, \"quoted\"", row[Field.UserAgent]);
        Assert.Equal("241", row[Field.Status]);
        Assert.Equal("", row[Field.User]);
    }

    [Fact]
    public void New_fields_block_mid_file_remaps_columns()
    {
        var text = HttpProxyHeader + "2021-03-03T02:14:05Z,a,/owa/,,,UA,1.1.1.1,200,GET,\n" +
            "#Fields: DateTime,ClientIpAddress,UrlStem\n2021-03-03T03:00:00Z,2.2.2.2,/ecp/\n";
        var rows = LogLines.Read("x/HttpProxy/Owa/a.log", text);
        Assert.Equal(2, rows.Count);
        Assert.Equal("2.2.2.2", rows[1][Field.ClientIp]);
        Assert.Equal("/ecp/", rows[1][Field.UrlStem]);
    }

    [Fact]
    public void Iis_w3c_decodes_plus_in_user_agent_and_dash_as_empty()
    {
        var text = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-05 00:00:00\n" +
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n" +
            "2021-03-05 03:06:27 10.0.0.5 GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=cde2; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 133\n";
        var row = Assert.Single(LogLines.Read("inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", text));
        Assert.Equal("Mozilla/5.0 (Windows NT 10.0)", row[Field.UserAgent]);
        Assert.Equal("", row[Field.User]);
        Assert.Equal("139.162.202.236", row[Field.ClientIp]);
        Assert.Equal(new DateTime(2021, 3, 5, 3, 6, 27, DateTimeKind.Utc), row.Time);
    }

    [Fact]
    public void Overlong_and_binary_lines_are_skipped_with_reasons_and_reading_goes_on()
    {
        var text = HttpProxyHeader + new string('A', 10 * 1024 * 1024) + "\n" + "bad\0binary\n" +
            "2021-03-03T02:14:05Z,a,/owa/,,,UA,1.1.1.1,200,GET,\n";
        var stats = new ReaderStats();
        var rows = LogLines.Read("Logging/HttpProxy/Owa/a.log", text, stats);
        Assert.Single(rows);
        Assert.Equal(2, stats.Skipped);
        Assert.Contains(stats.Errors, e => e.Contains("longer than"));
        Assert.Contains(stats.Errors, e => e.Contains("binary"));
    }

    [Fact]
    public void Header_less_file_is_read_as_text_and_says_so()
    {
        var stats = new ReaderStats();
        var rows = LogLines.Read("Logging/HttpProxy/Owa/a.log", "2021-03-03T02:14:05Z,a,b\n", stats, ArtifactKind.HttpProxy);
        Assert.Single(rows);
        Assert.Contains(stats.Errors, e => e.Contains("no #Fields header"));
    }

    [SkippableFact]
    public void Real_header_less_httpproxy_excerpt_maps_to_default_columns()
    {
        var path = Corpus.Path_("logs/real/signature-base-pr125/httpproxy_owa__cve-2021-26855_x.js_ServerInfo_localhost.log");
        var stats = new ReaderStats();
        var rows = LogLines.Read("Logging/HttpProxy/Owa/x.log", File.ReadAllText(path), stats, ArtifactKind.HttpProxy);
        var row = Assert.Single(rows);
        Assert.Equal("ServerInfo~localhost/ecp/default.flt?", row[Field.AnchorMailbox]);
        Assert.Equal("X-AnonResource-Backend-Cookie", row[Field.RoutingHint]);
        Assert.Equal("/owa/auth/x.js", row[Field.UrlStem]);
    }
}
