using Exhunt.Findings;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

public class ExchangeCmdletRuleTests
{
    // The OTRF ProxyLogon run, verbatim.
    private const string OtrfOabParams = "-ExternalUrl \"http://ffff/#<script language=\"JScript\" runat=\"server\"> function Page_Load(){/**/eval(Request[\"code\"],\"unsafe\");}</script>\" -Identity \"OAB (Default Web Site)\"";

    [Fact]
    public void Oab_url_with_script_is_a_27065_write_that_succeeded()
    {
        var (findings, _) = Run(CmdletMessage(1, "Set-OabVirtualDirectory", OtrfOabParams));
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-exch-vdir-url-script");
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        Assert.Contains("Page_Load", f.Evidence);
        Assert.StartsWith("http://ffff/#<script", f.Details!["url"]);
        Assert.EndsWith("</script>", f.Details!["url"]);
        Assert.Equal(T, f.Time);
        Assert.Equal(1, f.Record);
        Assert.Contains("CVE-2021-27065", f.Rule.Cves);
    }

    [Fact]
    public void Oab_url_with_script_from_the_evtx_blob_shape_names_the_user_and_fails_on_event_6()
    {
        var (findings, _) = Run(CmdletBlob(6, "Set-OabVirtualDirectory",
            "-ExternalUrl \"http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>\" -Identity \"EX01\\OAB (Default Web Site)\""));
        var f = Assert.Single(findings, x => x.Rule.Id == "evt-exch-vdir-url-script");
        Assert.Equal(Outcome.Failed, f.Outcome);
        Assert.Equal("contoso.local/Users/Administrator", f.User);
    }

    [Fact]
    public void Ordinary_virtual_directory_urls_are_quiet()
    {
        Assert.Empty(Ids(CmdletMessage(1, "Set-OabVirtualDirectory", "-ExternalUrl \"https://mail.contoso.com/OAB\" -Identity \"EX01\\OAB (Default Web Site)\""),
            CmdletBlob(1, "Set-OwaVirtualDirectory", "-InternalUrl \"https://ex01.contoso.local/owa\" -Identity \"EX01\\owa (Default Web Site)\""),
            CmdletMessage(1, "Get-OabVirtualDirectory", "-Identity \"OAB (Default Web Site)\"")));
    }

    [Fact]
    public void Oab_directory_reset_is_context()
    {
        var (findings, _) = Run(CmdletMessage(1, "Remove-OabVirtualDirectory", "-Force \"True\" -Identity \"MXS01\\OAB (Default Web Site)\""));
        var f = Assert.Single(findings);
        Assert.Equal("evt-exch-oab-vdir-recreated", f.Rule.Id);
        Assert.Equal(Proves.Context, f.Rule.Implies);
        Assert.Empty(Ids(CmdletMessage(1, "Set-OabVirtualDirectory", "-RequireSSL \"True\" -Identity \"OAB (Default Web Site)\"")));
    }

    [Fact]
    public void Mailbox_export_to_a_page_is_a_proxyshell_write_and_claims_the_file()
    {
        const string target = @"\\localhost\c$\inetpub\wwwroot\aspnet_client\luifdecggoqmansn.aspx";
        var (findings, context) = Run(CmdletBlob(1, "New-MailboxExportRequest",
            $"-Mailbox \"administrator@contoso.local\" -FilePath \"{target}\" -IncludeFolders \"#Drafts#\" -ContentFilter \"Subject -eq 'luifdecggoqmansn'\""));
        var f = Assert.Single(findings);
        Assert.Equal("evt-exch-mailbox-export-webshell", f.Rule.Id);
        Assert.Equal(Outcome.Succeeded, f.Outcome);
        var claim = Assert.Single(context.FileWrites);
        Assert.Equal(target, claim.WindowsPath);
        Assert.Equal("evt-exch-mailbox-export-webshell", claim.RuleId);
        Assert.Equal(1, claim.Record);
    }

    [Fact]
    public void Mailbox_export_to_a_pst_share_is_only_context()
    {
        var (findings, context) = Run(CmdletBlob(1, "New-MailboxExportRequest", "-Mailbox \"jdoe\" -FilePath \"\\\\fs01\\pst$\\jdoe.pst\""));
        var f = Assert.Single(findings);
        Assert.Equal("evt-exch-mailbox-export", f.Rule.Id);
        Assert.Equal(Proves.Context, f.Rule.Implies);
        Assert.Equal(@"\\fs01\pst$\jdoe.pst", Assert.Single(context.FileWrites).WindowsPath);
    }

    [Fact]
    public void Import_export_role_assignment_fires_other_roles_do_not()
    {
        var f = Assert.Single(Run(CmdletBlob(1, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"administrator@contoso.local\"")).Findings);
        Assert.Equal("evt-exch-role-mailbox-import-export", f.Rule.Id);
        Assert.Equal("administrator@contoso.local", f.Details!["assignee"]);
        Assert.Empty(Ids(CmdletBlob(1, "New-ManagementRoleAssignment", "-Role \"Mail Recipients\" -User \"helpdesk\"")));
    }

    [Fact]
    public void Certificate_request_into_ecp_auth_is_a_web_shell_write()
    {
        const string path = @"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\ecp\auth\blank.aspx";
        var (findings, context) = Run(CmdletBlob(1, "New-ExchangeCertificate", $"-GenerateRequest \"True\" -RequestFile \"{path}\" -BinaryEncoded \"True\" -SubjectName \"c=US, o=x, cn=x\""));
        Assert.Equal("evt-exch-cert-request-webshell", Assert.Single(findings).Rule.Id);
        Assert.Equal(path, Assert.Single(context.FileWrites).WindowsPath);
        Assert.Empty(Ids(CmdletBlob(1, "New-ExchangeCertificate", "-GenerateRequest \"True\" -RequestFile \"C:\\certs\\mail.req\" -SubjectName \"cn=mail.contoso.com\"")));
    }

    [Fact]
    public void Export_request_removal_fires_listing_does_not()
    {
        Assert.Equal(["evt-exch-mailbox-export-removed"], Ids(CmdletBlob(1, "Remove-MailboxExportRequest", "-Identity \"administrator\\MailboxExport\" -Confirm \"False\"")));
        Assert.Empty(Ids(CmdletBlob(1, "Get-MailboxExportRequest", "-Identity \"administrator\\MailboxExport\"")));
    }

    [Fact]
    public void Transport_agent_install_keeps_the_failed_outcome()
    {
        // Shape of hayabusa-sample-evtx "ID6-Failed to install an Exchange transport agent".
        var f = Assert.Single(Run(CmdletBlob(6, "Install-TransportAgent", "-Name \"Evil\" -AssemblyPath \".\\NetshHelperBeacon.dll\" -TransportAgentFactory \"hack\"")).Findings);
        Assert.Equal("evt-exch-transport-agent-install", f.Rule.Id);
        Assert.Equal(Outcome.Failed, f.Outcome);
        Assert.Equal(@".\NetshHelperBeacon.dll", f.Details!["assemblyPath"]);
        Assert.Empty(Ids(CmdletBlob(1, "Get-TransportAgent", "")));
    }

    [Fact]
    public void Get_app_failures_match_cve_2021_42321()
    {
        Assert.Equal(["evt-exch-42321-get-app"], Ids(CmdletMessage(6, "Get-App", "-Mailbox \"administrator\"")));
        var task8 = Event("MSExchange CmdletLogs", "MSExchange Management", 8, 2,
            ("Message", "Task Get-App throwing unhandled exception: System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider'"));
        Assert.Equal(["evt-exch-42321-get-app"], Ids(task8));
        Assert.Empty(Ids(CmdletMessage(1, "Get-App", "-Mailbox \"administrator\"")));
    }

    [Fact]
    public void Management_text_from_other_logs_is_not_read_as_a_cmdlet()
    {
        var app = Event("MSExchange Control Panel", "Application", 1, 4, ("Message", "Cmdlet suceeded. Cmdlet Set-OabVirtualDirectory, parameters " + OtrfOabParams));
        Assert.Empty(Ids(app));
    }
}
