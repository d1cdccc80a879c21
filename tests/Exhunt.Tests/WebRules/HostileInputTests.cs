using Exhunt.Evidence;

namespace Exhunt.Tests.WebRules;

public class HostileInputTests
{
    public static TheoryData<string, ArtifactKind> Garbage => new()
    {
        { "'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''<", ArtifactKind.EcpServer },
        { "x,y,z,\"S:CMD=New-MailboxExportRequest.FilePath=", ArtifactKind.EcpServer },
        { "x,y,z,S:CMD=New-ExchangeCertificate.RequestFile='", ArtifactKind.EcpActivity },
        { "Download failed and temporary file  needs to be removed", ArtifactKind.OabGenerator },
        { "Download failed and temporary file '' needs to be removed", ArtifactKind.OabGenerator },
        { "2021-01-01 00:00:00 x POST /owa/@/powershell %%%4 1 - 1 - - 200 0 0 1", ArtifactKind.Iis },
        { "2021-01-01 00:00:00 x POST /autodiscover/autodiscover.json %%%4%z%41%+ 1 - 1 - - 200 0 0 1", ArtifactKind.Iis },
        { "2021-01-01 00:00:00 x POST /ecp/ %40 1 - 1 - - 500 0 0 1", ArtifactKind.Iis },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Malformed_lines_do_not_throw(string line, ArtifactKind kind)
    {
        var ex = Record.Exception(() => WebLog.Detect("x/log.log", line + "\n" + line + "\n", kind));
        Assert.Null(ex);
    }

    [Fact]
    public void Huge_attacker_controlled_anchor_is_handled_in_linear_time()
    {
        var anchor = "ServerInfo~" + string.Concat(Enumerable.Repeat("a/Reset", 40_000)) + "VirtualDirector";
        var row = WebLog.ProxyRow(new() { ["AnchorMailbox"] = anchor, ["HttpStatus"] = "200" });
        var started = DateTime.UtcNow;
        var findings = WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(row));
        Assert.Single(findings.Of("exch-ssrf-serverinfo"));
        Assert.Empty(findings.Of("exch-27065-reset-vdir-ssrf"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}
