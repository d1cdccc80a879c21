using Exhunt.Findings;

namespace Exhunt.Tests.WebRules;

public class AbusedCmdletTests
{
    private const string RpsPath = "Exchange/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021080309-1.LOG";

    // The Rps Parameters column's exact serialisation is not in the facts; "-Name:'value'" is assumed here. The
    // extractor also takes "-Name 'value'", "Name=value" and ECP's "Name='value'" (next test).
    private static Dictionary<string, string> Rps(string cmdlet, string parameters, string result = "Success", string error = "") => new()
    {
        ["DateTime"] = "2021-08-03T09:13:19.123Z", ["ServerHostName"] = "EX01", ["AuthenticatedUser"] = "CONTOSO\\administrator",
        ["ClientApplication"] = "", ["Cmdlet"] = cmdlet, ["Parameters"] = parameters, ["ExecutionResult"] = result, ["ErrorType"] = error,
    };

    private static (List<Finding>, List<Exhunt.Detection.FileWriteClaim>) Run(params Dictionary<string, string>[] rows) =>
        WebLog.DetectWithWrites(RpsPath, WebLog.Csv("Rps Cmdlet Logs", WebLog.RpsCmdletFields, rows));

    [Fact]
    public void Export_to_an_aspx_over_the_localhost_admin_share_is_compromise_with_a_claim()
    {
        var (findings, writes) = Run(Rps("New-MailboxExportRequest",
            "-Mailbox:'victim@contoso.com' -IncludeFolders:'#Drafts#' -FilePath:'\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\570221043.aspx'"));
        var f = Assert.Single(findings);
        Assert.Equal("exch-cmdlet-export-to-webpath", f.Rule.Id);
        Assert.Equal(Proves.Compromise, f.Rule.Implies);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Equal("CONTOSO\\administrator", f.User);
        Assert.Equal(@"\\localhost\c$\inetpub\wwwroot\aspnet_client\570221043.aspx", Assert.Single(writes).WindowsPath);
    }

    [Fact]
    public void Ecp_logged_export_into_owa_auth_keeps_the_path_with_spaces()
    {
        var line = "2021-08-03T09:13:19.123Z,EX01,ECP.Request,\"S:TIME=120;S:SID=x;'S:CMD=New-MailboxExportRequest.Mailbox=''victim''.FilePath=''\\\\127.0.0.1\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx''.IncludeFolders=''#Drafts#''';S:REQID=;S:EX=;S:RS=0\"";
        var (findings, writes) = WebLog.DetectWithWrites(WebLog.EcpServerPath, WebLog.EcpServer(line));
        Assert.Equal("exch-cmdlet-export-to-webpath", Assert.Single(findings).Rule.Id);
        Assert.Equal(@"\\127.0.0.1\c$\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\x.aspx", Assert.Single(writes).WindowsPath);
    }

    [Fact]
    public void Export_to_a_file_share_is_context_only_and_a_failed_export_claims_nothing()
    {
        var (findings, writes) = Run(
            Rps("New-MailboxExportRequest", "-Mailbox:'bob' -FilePath:'\\\\fs01\\pst-exports\\bob.pst'"),
            Rps("New-MailboxExportRequest", "-Mailbox:'victim' -FilePath:'\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\a.aspx'", "Error", "ManagementObjectNotFoundException"));
        Assert.Equal("exch-cmdlet-mailbox-export", findings[0].Rule.Id);
        Assert.Equal(Proves.Context, findings[0].Rule.Implies);
        Assert.Equal("exch-cmdlet-export-to-webpath", findings[1].Rule.Id);
        Assert.Equal(Outcome.Failed, findings[1].Outcome);
        Assert.Empty(writes);
    }

    [Fact]
    public void Export_onto_the_servers_own_disk_through_an_admin_share_is_weak_with_a_claim()
    {
        var (findings, writes) = Run(Rps("New-MailboxExportRequest", "-Mailbox:'stephanie.brown@contoso.com' -FilePath:'\\\\EXCH01\\c$\\ProgramData\\pst\\stephanie.brown.pst'"));
        var f = Assert.Single(findings);
        Assert.Equal("exch-cmdlet-export-to-server-disk", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
        Assert.Equal(@"\\EXCH01\c$\ProgramData\pst\stephanie.brown.pst", Assert.Single(writes).WindowsPath);
    }

    [Fact]
    public void Role_grant_cert_request_and_clean_up()
    {
        var (findings, writes) = Run(
            Rps("New-ManagementRoleAssignment", "-Role:'Mailbox Import Export' -User:'CONTOSO\\attacker'"),
            Rps("New-ManagementRoleAssignment", "-Role:'Mail Recipients' -User:'CONTOSO\\helpdesk'"),
            Rps("New-ExchangeCertificate", "-GenerateRequest:$true -SubjectName:'c=US' -BinaryEncoded:$true -RequestFile:'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\ecp\\auth\\blank.aspx'"),
            Rps("New-ExchangeCertificate", "-GenerateRequest:$true -SubjectName:'c=US, cn=mail.contoso.com' -RequestFile:'C:\\certs\\mail.req'"),
            Rps("New-ExchangeCertificate", "-GenerateRequest:$true -RequestFile:'\\\\pki01\\c$\\requests\\mail.req'"),
            Rps("Remove-MailboxExportRequest", "-Identity:'victim\\MailboxExport' -Confirm:$false"),
            Rps("Get-Mailbox", "-Identity:'bob'"));
        Assert.Equal(["exch-cmdlet-import-export-role", "exch-cmdlet-cert-request-webpath", "exch-cmdlet-remove-export"], findings.Select(f => f.Rule.Id));
        Assert.Equal(Proves.Weak, findings[0].Rule.Implies);
        Assert.Equal(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\blank.aspx", Assert.Single(writes).WindowsPath);
    }
}
