using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

public class StagedDownloadTests
{
    [Fact]
    public void A_zip_fetched_from_a_web_folder_is_exfiltration()
    {
        var findings = LogLines.Detect("inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", WebLog.Iis(
            "2021-03-04 01:10:00 10.0.0.5 GET /aspnet_client/system_web/lsass.zip - 443 - 203.0.113.9 curl/7.68.0 - 200 0 0 120",
            "2021-03-04 01:11:00 10.0.0.5 GET /backup.zip - 443 - 198.51.100.3 Mozilla/5.0 - 404 0 2 1",
            "2021-03-04 01:12:00 10.0.0.5 POST /owa/auth/x.pst - 443 - 203.0.113.9 curl/7.68.0 - 200 0 0 1"));
        var f = Assert.Single(findings, f => f.Rule.Id == "web-staged-file-download");
        Assert.Equal("exfiltration", f.Rule.Tactic);
        Assert.Equal("203.0.113.9", f.ClientIp);
    }

    [Fact]
    public void Ordinary_requests_are_quiet()
    {
        var findings = LogLines.Detect("inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", WebLog.Iis(
            "2021-03-04 01:10:00 10.0.0.5 GET /owa/service.svc/s/GetFileAttachment id=AAMk.zip 443 user 10.0.0.9 Mozilla/5.0 - 200 0 0 120",
            "2021-03-04 01:10:00 10.0.0.5 GET /OAB/3f1c/oab.xml - 443 user 10.0.0.9 Outlook - 200 0 0 1"));
        Assert.DoesNotContain(findings, f => f.Rule.Id == "web-staged-file-download");
    }
}
