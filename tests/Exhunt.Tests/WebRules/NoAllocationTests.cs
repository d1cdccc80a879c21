using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

/// <summary>The rules run on every line of GBs of logs: a line that matches nothing must not allocate.</summary>
public class NoAllocationTests
{
    private static readonly string[] IisLines =
    [
        "2021-03-05 03:06:27 10.0.0.5 GET /owa/auth/logon.aspx url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0&CorrelationID=<empty>;&cafeReqId=cde28fc4; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 133",
        "2021-03-05 03:06:28 10.0.0.5 POST /mapi/emsmdb/ mailboxId=0e36a769@contoso.com&CorrelationID=<empty>;&cafeReqId=cde28fc4; 443 CONTOSO\\bob 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 15",
        "2021-03-05 03:06:30 10.0.0.5 GET /autodiscover/autodiscover.json/v1.0/bob%40contoso.com Protocol=EWS&RedirectCount=1&CorrelationID=<empty>;&cafeReqId=12d6; 443 - 10.1.2.3 Microsoft+Office/16.0 - 200 0 0 5",
        "2021-03-05 03:06:31 10.0.0.5 POST /ecp/DDI/DDIService.svc/GetList schema=MailboxService&msExchEcpCanary=abc&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\admin 10.1.2.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 55",
        "2021-03-05 03:06:32 10.0.0.5 POST /owa/shared@contoso.com/service.svc action=GetItem&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\bob 10.1.2.3 Mozilla/5.0 - 200 0 0 60",
        "2021-03-05 03:06:33 10.0.0.5 POST /powershell clientApplication=ActiveMonitor;PSVersion=5.1&CorrelationID=<empty>;&cafeReqId=12d6; 443 CONTOSO\\SM_1 10.0.0.5 Microsoft+WinRM+Client - 200 0 0 60",
    ];

    [Fact]
    public void Benign_iis_and_httpproxy_lines_do_not_allocate_in_the_rules()
    {
        var iis = WebLog.Iis(Enumerable.Range(0, 3000).Select(i => IisLines[i % IisLines.Length]).ToArray());
        Assert.Equal(0, RuleAllocations(WebLog.IisPath, iis));

        var row = WebLog.ProxyRow(new()
        {
            ["UrlStem"] = "/ecp/DDI/DDIService.svc/GetList", ["AuthenticatedUser"] = "CONTOSO\\admin", ["IsAuthenticated"] = "true",
            ["AnchorMailbox"] = "Sid~S-1-5-21-1-2-3-500", ["RoutingHint"] = "WindowsIdentity", ["UserAgent"] = "Mozilla/5.0 (Windows NT 10.0)",
            ["BackEndCookie"] = "Database~a6c4dbb1-3265-4fbf-9dc6-754dffd67275~~2024-02-23T15:26:43", ["UrlQuery"] = "?schema=MailboxService",
        });
        var proxy = WebLog.HttpProxy(Enumerable.Repeat(row, 3000).ToArray());
        Assert.Equal(0, RuleAllocations(WebLog.EcpProxyPath, proxy));
    }

    private static long RuleAllocations(string path, string text)
    {
        var file = Fixture.File(path, text);
        var rules = WebLog.Rules.LogRulesFor(file.Kind);
        Assert.NotEmpty(rules);
        var context = new ScanContext();
        // Warm up (static data, JIT), then measure only the time spent inside the rules. The least of three runs:
        // a one-off runtime allocation (tiering, a lazily built cache) on a loaded machine is not the rules' doing,
        // while a per-line allocation shows in every run.
        using (var warm = file.Open()) new TextLogReader(file, new ReaderStats()).Read(warm, r => { foreach (var rule in rules) rule.Inspect(r, context); });
        var least = long.MaxValue;
        for (var run = 0; run < 3 && least > 0; run++)
        {
            long allocated = 0;
            using var s = file.Open();
            new TextLogReader(file, new ReaderStats()).Read(s, r =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                foreach (var rule in rules) rule.Inspect(r, context);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            });
            least = Math.Min(least, allocated);
        }
        Assert.Equal(0, context.Findings.Count);
        return least;
    }
}
