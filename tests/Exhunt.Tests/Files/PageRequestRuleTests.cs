using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Files;

public class PageRequestRuleTests
{
    internal const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

    internal const string HttpProxyHeader = "#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n#Log-type: HttpProxy Logs\n#Date: 2021-03-03T02:00:00.000Z\n" +
        "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method\n";

    private const string IisPath = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";

    private static (List<Finding> Findings, List<PageRequest> Requests) Run(string path, string text)
    {
        var (findings, _, requests) = LogLines.Run(path, text);
        return (findings.Where(f => f.Rule.Id.StartsWith("web-nonstock")).ToList(), requests);
    }

    [Fact]
    public void Post_to_non_stock_owa_auth_page_answered_200_is_web_shell_use()
    {
        var (findings, requests) = Run(IisPath, IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 POST /owa/auth/shell.aspx - 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 62\n" +
            "2021-03-03 04:13:10 10.0.0.5 POST /owa/auth/shell.aspx - 443 - 198.51.100.23 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 40\n");
        var hit = Assert.Single(findings);
        Assert.Equal("web-nonstock-page-ran", hit.Rule.Id);
        Assert.Equal(Proves.Compromise, hit.Rule.Implies);
        Assert.Equal(Outcome.Succeeded, hit.Outcome);
        Assert.Equal("198.51.100.23", hit.ClientIp);
        Assert.Equal(5, hit.Line);
        Assert.Equal(2, requests.Count);
        Assert.Equal(("/owa/auth/shell.aspx", "POST", 200, 6L), (requests[1].UrlPath, requests[1].Method, requests[1].Status, requests[1].Line));
    }

    [Fact]
    public void Stock_pages_and_other_folders_are_neither_recorded_nor_reported()
    {
        var (findings, requests) = Run(IisPath, IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/auth/logon.aspx url=%2fowa%2f&reason=0 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 15\n" +
            "2021-03-03 04:12:56 10.0.0.5 GET /owa/auth/15.1.2106/themes/resources/favicon.ico - 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 15\n" +
            "2021-03-03 04:12:57 10.0.0.5 GET /ecp/auth/TimeoutLogoff.aspx - 443 - 203.0.113.50 Mozilla/5.0 - 200 0 0 15\n" +
            "2021-03-03 04:12:58 10.0.0.5 GET /ecp/default.aspx - 443 user 203.0.113.50 Mozilla/5.0 - 200 0 0 15\n");
        Assert.Empty(findings);
        Assert.Empty(requests);
    }

    [Fact]
    public void Posts_to_stock_pages_are_recorded_for_correlation_but_not_reported()
    {
        var (findings, requests) = Run(IisPath, IisHeader +
            "2022-09-30 03:10:00 10.0.0.5 POST /owa/auth/RedirSuiteServiceProxy.aspx - 443 - 192.0.2.40 Mozilla/5.0 - 200 0 0 15\n");
        Assert.Empty(findings);
        var r = Assert.Single(requests);
        Assert.Equal(("/owa/auth/RedirSuiteServiceProxy.aspx", "POST", "192.0.2.40"), (r.UrlPath, r.Method, r.ClientIp));
    }

    [Fact]
    public void Not_found_requests_are_weak_probes_reported_once_per_client()
    {
        var (findings, requests) = Run(IisPath, IisHeader +
            "2021-03-22 14:45:10 10.0.0.5 GET /aspnet_client/shell.aspx - 443 - 192.0.2.77 Mozilla/5.0+nuclei - 404 0 2 1\n" +
            "2021-03-22 14:45:11 10.0.0.5 GET /owa/auth/errorEE.aspx - 443 - 192.0.2.77 Mozilla/5.0+nuclei - 404 0 2 1\n");
        var hit = Assert.Single(findings);
        Assert.Equal("web-nonstock-page-probe", hit.Rule.Id);
        Assert.Equal(Proves.Weak, hit.Rule.Implies);
        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public void Server_error_means_the_page_exists_attempt()
    {
        var (findings, _) = Run(IisPath, IisHeader +
            "2021-08-23 09:20:01 10.0.0.5 POST /aspnet_client/system_web/689193944.aspx - 443 - 192.0.2.9 python-requests/2.25.1 - 500 0 0 30\n");
        Assert.Equal("web-nonstock-page-error", Assert.Single(findings).Rule.Id);
    }

    [Fact]
    public void HttpProxy_owa_request_with_client_chain_is_read()
    {
        var (findings, requests) = Run("Logging/HttpProxy/Owa/HttpProxy_2021030304-1.LOG", HttpProxyHeader +
            "2021-03-03T04:12:55.100Z,0f1e,15,1,2176,2,,Owa,mail.example.com,/owa/auth/Current/themes/errorFS.aspx,,,false,,,,Mozilla/5.0,\"198.51.100.23, 10.0.0.1\",EX01,200,,,GET\n");
        var hit = Assert.Single(findings);
        Assert.Equal("web-nonstock-page-ran", hit.Rule.Id);
        Assert.Equal("198.51.100.23", hit.ClientIp);
        Assert.Equal("198.51.100.23", Assert.Single(requests).ClientIp);
    }
}

public class PageRequestCapTests
{
    [Fact]
    public void A_sweep_from_many_clients_is_capped_with_one_notice_but_fully_recorded()
    {
        var sb = new System.Text.StringBuilder(PageRequestRuleTests.IisHeader);
        const int clients = Exhunt.Detection.Files.PageRequestRule.MaxProbeFindings + 50;
        for (var i = 0; i < clients; i++)
            sb.Append($"2021-03-22 14:45:10 10.0.0.5 GET /aspnet_client/shell.aspx - 443 - 10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256} nuclei - 404 0 2 1\n");
        var file = Fixture.File("W3SVC1/u_ex210322.log", sb.ToString());
        var context = new ScanContext();
        using (var s = file.Open())
            LogRuleRunner.Run(RuleSet.BuiltIn(), file, s, new ReaderStats(), context);
        var probes = context.Findings.Snapshot().Where(f => f.Rule.Id == "web-nonstock-page-probe").ToList();
        Assert.Equal(Exhunt.Detection.Files.PageRequestRule.MaxProbeFindings + 1, probes.Count);
        Assert.Single(probes, f => f.Details!.ContainsKey("cap"));
        Assert.Equal(clients, context.PageRequests.Count);
    }
}
