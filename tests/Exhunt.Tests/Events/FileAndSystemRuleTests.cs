using Exhunt.Findings;
using Exhunt.Readers;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

public class FileAndSystemRuleTests
{
    private const string OwaAuth = @"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\";

    [Fact]
    public void Page_written_into_owa_auth_over_a_share_is_a_web_shell_and_claims_the_file()
    {
        // OTRF ProxyLogon run: Sysmon 11 by System and the matching Security 5145 (AccessMask 0x2 = WriteData).
        var sysmon = Sysmon11("System", OwaAuth + "ohyeah.aspx");
        var share = Event("Microsoft-Windows-Security-Auditing", "Security", 5145, 0,
            ("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "MXS01$"), ("SubjectDomainName", "AZSENTINEL"), ("ObjectType", "File"),
            ("IpAddress", "127.0.0.1"), ("IpPort", "30065"), ("ShareName", @"\\*\C$"), ("ShareLocalPath", @"\??\C:\"),
            ("RelativeTargetName", @"Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\ohyeah.aspx"), ("AccessMask", "0x2"), ("AccessList", "%%4417"));
        var (findings, context) = Run(sysmon, share);
        Assert.Equal(2, findings.Count(f => f.Rule.Id == "evt-file-webshell-write"));
        Assert.Equal("Page ohyeah.aspx written into a web folder by System", findings[0].Title);
        Assert.Equal("127.0.0.1", findings[1].ClientIp);
        Assert.Equal(@"AZSENTINEL\MXS01$", findings[1].User);
        Assert.Equal(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\ohyeah.aspx", findings[1].Details!["path"]);
        Assert.Equal(2, context.FileWrites.Count);
        Assert.All(context.FileWrites, c => Assert.EndsWith(@"owa\auth\ohyeah.aspx", c.WindowsPath));
    }

    [Fact]
    public void Installers_compiled_pages_reads_and_logs_are_quiet()
    {
        var readShare = Event("Microsoft-Windows-Security-Auditing", "Security", 5145, 0, ("ShareName", @"\\*\C$"), ("ShareLocalPath", @"\??\C:\"),
            ("RelativeTargetName", @"Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\logon.aspx"), ("AccessMask", "0x80"));
        Assert.Empty(Ids(
            Sysmon11(@"C:\Windows\System32\msiexec.exe", OwaAuth + "logon.aspx"),
            Sysmon11(@"c:\windows\system32\inetsrv\w3wp.exe", @"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\Temporary ASP.NET Files\owa\8e05b027\e164d61b\ohyeah.aspx.f5dba9b9.compiled"),
            Sysmon11(@"c:\windows\system32\inetsrv\w3wp.exe", @"C:\Program Files\Microsoft\Exchange Server\V15\Logging\LocalQueue\Exchange\audit20210314-32.LOG"),
            readShare));
    }

    [Fact]
    public void Page_written_by_another_process_is_weak()
    {
        var f = Assert.Single(Run(Sysmon11(@"C:\Windows\explorer.exe", @"C:\inetpub\wwwroot\aspnet_client\system_web\test.aspx")).Findings);
        Assert.Equal("evt-file-page-write-other", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
    }

    [Fact]
    public void Mailbox_replication_writing_a_page_anywhere_is_a_web_shell()
    {
        Assert.Equal(["evt-file-webshell-write"], Ids(Sysmon11(@"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeMailboxReplication.exe", @"C:\ProgramData\COM1\689193944.aspx")));
        Assert.Empty(Ids(Sysmon11(@"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeMailboxReplication.exe", @"\\fs01\pst$\jdoe.pst")));
    }

    [Fact]
    public void Um_worker_writing_files_is_26858_except_its_own_cache()
    {
        var um = @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\UMWorkerProcess.exe";
        var (findings, context) = Run(Sysmon11(um, @"C:\Windows\Temp\x.bat"));
        Assert.Equal("evt-file-umworker-write", Assert.Single(findings).Rule.Id);
        Assert.Single(context.FileWrites);
        Assert.Empty(Ids(Sysmon11(um, @"C:\Program Files\Microsoft\Exchange Server\V15\UnifiedMessaging\temp\CacheCleanup.bin"),
            Sysmon11(um, @"C:\Program Files\Microsoft\Exchange Server\V15\Logging\UMWorkerProcess\UMWorker_20210303.LOG")));
    }

    [Fact]
    public void Defender_detections_map_to_their_exchange_meaning()
    {
        WinEvent Defender(int id, string threat, string path) => Event("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational", id, 3,
            ("Product Name", "Microsoft Defender Antivirus"), ("Threat Name", threat), ("Severity Name", "Severe"), ("Category Name", "Backdoor"),
            ("Path", path), ("Detection User", @"NT AUTHORITY\SYSTEM"), ("Process Name", @"C:\Windows\System32\inetsrv\w3wp.exe"), ("Action Name", "Quarantine"));
        var (findings, _) = Run(Defender(1116, "Backdoor:ASP/SecChecker.A", @"file:_C:\inetpub\wwwroot\aspnet_client\system_web\log.aspx"),
            Defender(1117, "Exploit:Script/Exmann.A!dha", @"file:_C:\Windows\Temp\a.txt"),
            Defender(1116, "Behavior:Win32/DumpLsass.A!attk", @"behavior:_process: C:\Windows\System32\rundll32.exe"));
        Assert.Equal(["evt-defender-webshell", "evt-defender-exchange-exploit", "evt-defender-lsass-dump"], findings.Select(f => f.Rule.Id));
        Assert.Equal("Defender detected a web shell: Backdoor:ASP/SecChecker.A", findings[0].Title);
        Assert.Equal(@"NT AUTHORITY\SYSTEM", findings[0].User);
        Assert.Empty(Ids(Defender(1116, "Trojan:Win32/Wacatac.B!ml", @"file:_C:\Users\jdoe\Downloads\setup.exe")));
        var unserved = Assert.Single(Run(Defender(1116, "Backdoor:ASP/Ace.T", @"file:_C:\Users\jdoe\Downloads\shells\cmd.aspx")).Findings);
        Assert.Equal("evt-defender-webshell-unserved", unserved.Rule.Id);
        Assert.Equal(Proves.Compromise, unserved.Rule.WithExploitation);
        var exchange = Assert.Single(Run(Defender(1117, "Trojan:JS/Chopper!dha", @"file:_C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa\auth\errorEEE.aspx")).Findings);
        Assert.Equal("evt-defender-webshell", exchange.Rule.Id);
    }

    [Fact]
    public void Log_file_deletion_fires_exchange_retention_does_not()
    {
        var f = Assert.Single(Run(Sysmon(23, ("Image", @"C:\Windows\System32\cmd.exe"), ("TargetFilename", @"C:\inetpub\logs\LogFiles\W3SVC1\u_ex210303.log"), ("User", @"CONTOSO\admin"))).Findings);
        Assert.Equal("evt-defense-log-deleted", f.Rule.Id);
        Assert.Equal("Log file deleted by cmd.exe", f.Title);
        Assert.Empty(Ids(Sysmon(23, ("Image", @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeHMWorker.exe"),
                ("TargetFilename", @"C:\Program Files\Microsoft\Exchange Server\V15\Logging\HttpProxy\Owa\HttpProxy_2021030101-1.LOG")),
            Sysmon(23, ("Image", @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\edgetransport.exe"),
                ("TargetFilename", @"C:\Program Files\Microsoft\Exchange Server\V15\TransportRoles\Logs\Hub\QueueViewer\QueueSnapShot.xml"))));
    }

    [Fact]
    public void Agents_config_written_by_exchange_itself_is_quiet_by_hand_is_weak()
    {
        const string config = @"C:\Program Files\Microsoft\Exchange Server\V15\TransportRoles\Shared\agents.config";
        Assert.Equal(["evt-file-transport-agents-config"], Ids(Sysmon11(@"C:\Windows\System32\notepad.exe", config)));
        Assert.Empty(Ids(Sysmon11(@"c:\windows\system32\inetsrv\w3wp.exe", config),
            Sysmon11(@"C:\Program Files\Microsoft\Exchange Server\V15\Bin\ExSetup.exe", config)));
    }

    [Fact]
    public void Sysmon_26_delete_detected_counts_too()
    {
        Assert.Equal(["evt-defense-log-deleted"], Ids(Sysmon(26, ("Image", @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"),
            ("TargetFilename", @"C:\Program Files\Microsoft\Exchange Server\V15\Logging\CmdletInfra\LocalPowerShell\Cmdlet\LocalPowerShell_Cmdlet_2021030312-1.LOG"))));
    }

    [Fact]
    public void Cleared_event_logs_fire_other_eventlog_events_do_not()
    {
        var security = Event("Microsoft-Windows-Eventlog", "Security", 1102, 4, ("SubjectUserSid", "S-1-5-21-1-2-3-500"), ("SubjectUserName", "Administrator"), ("SubjectDomainName", "CONTOSO"));
        var system = Event("Microsoft-Windows-Eventlog", "System", 104, 4, ("SubjectUserName", "Administrator"), ("SubjectDomainName", "CONTOSO"), ("Channel", "MSExchange Management"));
        var (findings, _) = Run(security, system);
        Assert.Equal(["evt-defense-eventlog-cleared", "evt-defense-eventlog-cleared"], findings.Select(f => f.Rule.Id));
        Assert.Equal(@"CONTOSO\Administrator", findings[0].User);
        Assert.Equal("MSExchange Management event log cleared", findings[1].Title);
        Assert.Empty(Ids(Event("Microsoft-Windows-Eventlog", "Security", 1100, 4), Event("Service Control Manager", "System", 104, 4)));
    }
}
