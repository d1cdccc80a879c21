using Exhunt.Detection.Iocs;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class IpIocTests
{
    private const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

    private const string RpsHttpHeader = "#Software: Microsoft Exchange Server\n#Version: 15.01.2308.008\n#Log-type: Rps Http Logs\n#Date: 2021-08-23T09:00:00.000Z\n" +
        "#Fields: DateTime,StartTime,RequestId,UrlHost,UrlStem,AuthenticatedUser,ClientIpAddress,HttpStatus\n";

    [Theory]
    [InlineData("1.2.3.4", true, 0x01020304u)]
    [InlineData("255.255.255.255", true, 0xFFFFFFFFu)]
    [InlineData("1.2.3.4:443", true, 0x01020304u)]
    [InlineData("[::ffff:5.254.43.18]:443", true, 0x05FE2B12u)]
    [InlineData("::ffff:5.254.43.18", true, 0x05FE2B12u)]
    [InlineData("256.1.1.1", false, 0u)]
    [InlineData("1.2.3", false, 0u)]
    [InlineData("1.2.3.4.5", false, 0u)]
    [InlineData("1..2.3", false, 0u)]
    [InlineData("fe80::d9e3:e981:da2d:427b%3", false, 0u)]
    [InlineData("1234.1.1.1", false, 0u)]
    public void Parses_ipv4_tokens(string token, bool ok, uint value)
    {
        Assert.Equal(ok, Ipv4.TryParseToken(token, out var v));
        if (ok) Assert.Equal(value, v);
    }

    [Fact]
    public void Iis_line_from_a_published_attacker_ip_is_reported_once_per_file()
    {
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 POST /ecp/y.js - 443 - 5.254.43.18 ExchangeServicesClient/0.0.0.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:57 10.0.0.5 POST /ecp/y.js - 443 - 5.254.43.18 ExchangeServicesClient/0.0.0.0 - 200 0 0 62\n";
        var hits = LogLines.Detect("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", text).Where(f => f.Rule.Id == "ioc-ip-known-attacker").ToList();
        var hit = Assert.Single(hits);
        Assert.Equal("5.254.43.18", hit.ClientIp);
        Assert.Equal(5, hit.Line);
        Assert.Equal("volexity-marauder", hit.Details!["ioc_source"]);
        Assert.Equal(Exhunt.Findings.Proves.Weak, hit.Rule.Implies);
    }

    [Fact]
    public void Any_hop_of_an_rps_client_chain_is_checked()
    {
        var text = RpsHttpHeader +
            "2021-08-23T09:13:18.000Z,2021-08-23T09:13:18.000Z,r1,mail.example.com,/powershell,,\"10.0.0.9 104.140.114.110\",200\n";
        var hit = Assert.Single(LogLines.Detect("Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2021082309-1.log", text),
            f => f.Rule.Id == "ioc-ip-known-attacker");
        Assert.Equal("104.140.114.110", hit.ClientIp);
    }

    [Fact]
    public void Near_miss_addresses_stay_quiet()
    {
        // One digit off a listed address, a private address, and the listed address in another column (the referrer).
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 5.254.43.19 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 GET /owa/ - 443 - 10.1.1.1 Mozilla/5.0 http://5.254.43.18/ 200 0 0 62\n";
        Assert.DoesNotContain(LogLines.Detect("W3SVC1/u_ex210303.log", text), f => f.Rule.Id == "ioc-ip-known-attacker");
    }
}
