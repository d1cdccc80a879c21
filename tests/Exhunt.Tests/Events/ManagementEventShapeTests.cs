using Exhunt.Findings;
using Exhunt.Scanning;
using Exhunt.Story;
using Exhunt.Tests.Support;
using static Exhunt.Tests.Events.ManagementEvtx;

namespace Exhunt.Tests.Events;

/// <summary>
/// Issue 6, reproduction 1: the MSExchange Management rules on the shape OUR reader produces from real .evtx files
/// (one &lt;Data&gt; holding a string array, rendered Data1..DataN), not on python-evtx's &lt;string&gt; blob.
/// </summary>
public class ManagementEventShapeTests
{
    private const string Id6 = "evtx/hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1505-Server Software Component/ID6-Failed to install an Exchange transport agent.evtx";
    private const string Wec = "evtx-rs-samples/MSExchange_Management_wec.evtx";

    [SkippableFact]
    public void Real_failed_transport_agent_install_read_by_our_reader_fires_with_the_named_fields()
    {
        var events = Read(Corpus.Path_(Id6));
        Assert.Equal("Install-TransportAgent", events[0].Event.Get("Data1")); // the shape: the array as unnamed values
        var hits = Detect(events).Where(f => f.Rule.Id == "evt-exch-transport-agent-install").ToList();
        Assert.Equal(2, hits.Count);
        var f = hits[0];
        Assert.Equal(Outcome.Failed, f.Outcome);
        Assert.Equal("exchange01.offsec.lan", f.Host);
        Assert.Equal("offsec.lan/OFFSEC-COMPANY/Administrators/admmig", f.User);
        Assert.Equal(@".\NetshHelperBeacon.dll", f.Details!["assemblyPath"]);
        Assert.Equal("8372 w3wp#MSExchangePowerShellAppPool", f.Details["hostProcess"]);
        Assert.Equal("Remote-ManagementShell-Unknown", f.Details["clientApplication"]);
        Assert.Equal("Install-TransportAgent -Name \"Evil\" -AssemblyPath \".\\NetshHelperBeacon.dll\" -TransportAgentFactory \"hack\"", f.Evidence);
        Assert.Equal(new DateTime(2021, 6, 4, 8, 41, 47, DateTimeKind.Utc).AddTicks(9821281), f.Time);
    }

    [SkippableFact]
    public void Scanning_the_real_failed_transport_agent_file_is_not_clean()
    {
        var result = new Scanner(new ScanOptions()).Scan(Corpus.Path_(Id6));
        Assert.NotEqual(Verdict.Clean, result.Story.Verdict);
        Assert.Contains(result.Findings, f => f.Rule.Id == "evt-exch-transport-agent-install" && f.Host == "exchange01");
    }

    [SkippableFact]
    public void Real_event_1_maps_to_named_fields_and_an_ordinary_set_mailbox_stays_quiet()
    {
        var (e, _) = Assert.Single(Read(Corpus.Path_(Wec)));
        var named = Exhunt.Detection.Events.ManagementEventFields.Named(Exhunt.Detection.Events.ManagementEventFields.Items(e));
        Assert.Equal("Set-Mailbox", named["Cmdlet"]);
        Assert.StartsWith("-Identity \"Administrateur\"", named["Parameters"]);
        Assert.Equal("ave.local/Users/Administrateur", named["Caller"]);
        Assert.Equal("5668 w3wp#MSExchangePowerShellAppPool", named["HostProcess"]);
        Assert.Equal("Remote-ManagementShell-Unknown", named["ClientApplication"]);
        Assert.Equal("fr-FR", named["Culture"]);
        Assert.False(named.ContainsKey("Error"));
        Assert.Empty(Detect([(e, 1)]));
    }

    public static TheoryData<int, string, string, string> RealShapeHits => new()
    {
        { 1, "Set-OabVirtualDirectory", "-ExternalUrl \"http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>\" -Identity \"EX01\\OAB (Default Web Site)\"", "evt-exch-vdir-url-script" },
        { 1, "New-MailboxExportRequest", "-Mailbox \"administrator@contoso.local\" -FilePath \"\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\luifdecggoqmansn.aspx\" -IncludeFolders \"#Drafts#\"", "evt-exch-mailbox-export-webshell" },
        { 1, "New-MailboxExportRequest", "-Mailbox \"jdoe\" -FilePath \"\\\\fs01\\pst$\\jdoe.pst\"", "evt-exch-mailbox-export" },
        { 1, "Remove-MailboxExportRequest", "-Identity \"administrator\\MailboxExport\" -Confirm \"False\"", "evt-exch-mailbox-export-removed" },
        { 1, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"administrator@contoso.local\"", "evt-exch-role-mailbox-import-export" },
        { 1, "New-ExchangeCertificate", "-GenerateRequest \"True\" -RequestFile \"\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\shell.aspx\" -SubjectName \"CN=x\"", "evt-exch-cert-request-webshell" },
        { 6, "Install-TransportAgent", "-Name \"Evil\" -AssemblyPath \"C:\\Windows\\Temp\\agent.dll\" -TransportAgentFactory \"Evil.Factory\"", "evt-exch-transport-agent-install" },
        { 6, "Get-App", "-Mailbox \"administrator@contoso.local\"", "evt-exch-42321-get-app" },
        { 1, "Remove-OabVirtualDirectory", "-Force \"True\" -Identity \"EX01\\OAB (Default Web Site)\"", "evt-exch-oab-vdir-recreated" },
    };

    [Theory]
    [MemberData(nameof(RealShapeHits))]
    public void Each_management_rule_fires_on_an_evtx_written_in_the_real_shape(int eventId, string cmdlet, string parameters, string ruleId)
    {
        var events = Read(File((eventId, Items(eventId, cmdlet, parameters))));
        var (e, _) = Assert.Single(events);
        Assert.Equal(cmdlet, e.Get("Data1"));
        Assert.Equal(parameters, e.Get("Data2"));
        var f = Assert.Single(Detect(events));
        Assert.Equal(ruleId, f.Rule.Id);
        Assert.Equal(Computer, f.Host);
        Assert.Equal("contoso.local/Users/Administrator", f.User);
        if (ruleId != "evt-exch-42321-get-app") Assert.Equal(eventId == 1 ? Outcome.Succeeded : Outcome.Failed, f.Outcome);
        Assert.Equal(cmdlet, f.Details!["cmdlet"]);
        Assert.Equal("8372 w3wp#MSExchangePowerShellAppPool", f.Details["hostProcess"]);
    }

    [Fact]
    public void Task_throwing_invalid_cast_in_event_8_is_read_from_the_array()
    {
        var items = Items(8, "Get-App", "-Mailbox \"administrator@contoso.local\"",
            error: "System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider' to type 'System.Collections.Generic.List`1'.");
        var f = Assert.Single(Detect(Read(File((8, items)))));
        Assert.Equal("evt-exch-42321-get-app", f.Rule.Id);
        // Another task's exception is not the 42321 shape.
        Assert.Empty(Detect(Read(File((8, Items(8, "Get-Mailbox", "-Identity \"x\"", error: "System.NullReferenceException: Object reference not set"))))));
    }

    [Fact]
    public void Ordinary_admin_cmdlets_in_the_real_shape_stay_quiet()
    {
        Assert.Empty(Detect(Read(File(
            (1, Items(1, "Set-OabVirtualDirectory", "-ExternalUrl \"https://mail.contoso.com/OAB\" -Identity \"EX01\\OAB (Default Web Site)\"")),
            (1, Items(1, "New-ManagementRoleAssignment", "-Role \"Mail Recipients\" -User \"helpdesk\"")),
            (1, Items(1, "Get-Mailbox", "-ResultSize \"Unlimited\"")),
            (6, Items(6, "Get-App", "-Mailbox \"x\"").Take(0).ToArray())))));
    }

    [Fact]
    public void Event_8_whose_first_item_is_the_message_is_still_read()
    {
        var e = EventFixtures.Event("MSExchange CmdletLogs", "MSExchange Management", 8, 2,
            ("Data1", "Task Get-App throwing unhandled exception: System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider'."));
        Assert.Equal(["evt-exch-42321-get-app"], EventFixtures.Ids(e));
    }

    [Fact]
    public void Winlogbeat_param_names_map_like_data_names()
    {
        var e = EventFixtures.Event("MSExchange CmdletLogs", "MSExchange Management", 1, 4,
            [.. Items(1, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"x\"").Select((v, i) => ($"param{i + 1}", v))]);
        var f = Assert.Single(EventFixtures.Run(e).Findings);
        Assert.Equal("evt-exch-role-mailbox-import-export", f.Rule.Id);
        Assert.Equal("contoso.local/Users/Administrator", f.User);
    }

    [Fact]
    public void Hostile_management_events_stay_bounded_and_quiet()
    {
        var many = EventFixtures.Event("MSExchange CmdletLogs", "MSExchange Management", 1, 4,
            [.. Enumerable.Range(1, 20_000).Select(i => ($"Data{i}", i == 1 ? "Get-Mailbox" : new string('A', 10)))]);
        var blob = EventFixtures.Event("MSExchange CmdletLogs", "MSExchange Management", 6, 2,
            ("Data1", string.Concat(Enumerable.Repeat("<string>New-MailboxExportRequest", 5000))));
        var notCmdlet = EventFixtures.Event("MSExchange CmdletLogs", "MSExchange Management", 1, 4, ("Data1", "<script>alert(1)</script> -FilePath x.aspx"), ("Data2", "-FilePath \"c:\\inetpub\\wwwroot\\a.aspx\""));
        Assert.Empty(EventFixtures.Ids(many, blob, notCmdlet));
        Assert.True(Exhunt.Detection.Events.ManagementEventFields.Items(many).Count <= 64);
        Assert.True(Exhunt.Detection.Events.ManagementEventFields.Items(blob).Count <= 64);
    }

    [Fact]
    public void The_python_evtx_blob_and_the_json_message_shapes_still_map_to_the_same_fields()
    {
        var blob = EventFixtures.CmdletBlob(1, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"x\"");
        var message = EventFixtures.CmdletMessage(1, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"x\"");
        Assert.Equal(["evt-exch-role-mailbox-import-export", "evt-exch-role-mailbox-import-export"], EventFixtures.Ids(blob, message));
        Assert.Equal("8372 w3wp#MSExchangePowerShellAppPool", Assert.Single(EventFixtures.Run(blob).Findings).Details!["hostProcess"]);
    }
}
