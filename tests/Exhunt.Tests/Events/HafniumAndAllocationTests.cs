using Exhunt.Detection;
using Exhunt.Readers;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

public class HafniumAndAllocationTests
{
    [Fact]
    public void Hafnium_command_shapes_fire_and_ordinary_attrib_does_not()
    {
        var cmd = @"C:\Windows\System32\cmd.exe";
        var hidden = Sysmon1(@"C:\Windows\System32\attrib.exe", @"attrib +h +s +r C:\inetpub\wwwroot\aspnet_client\system_web\discover.aspx", cmd);
        var cleanup = Security4688(cmd, @"cmd.exe /c cd /d C:\inetpub\wwwroot\aspnet_client&del 'C:\inetpub\wwwroot\aspnet_client\it.zip'&echo [S]&cd&echo [E]", @"C:\Windows\System32\inetsrv\w3wp.exe");
        var (findings, _) = Run(hidden, cleanup);
        Assert.Equal(2, findings.Count(f => f.Rule.Id == "evt-proc-hafnium-tradecraft"));
        Assert.Empty(Ids(Sysmon1(@"C:\Windows\System32\attrib.exe", @"attrib +r C:\inetpub\wwwroot\web.config", cmd),
            Sysmon1(@"C:\Windows\System32\vssadmin.exe", "vssadmin list shadows", cmd)));
    }

    [Fact]
    public void Security_4663_page_write_by_the_um_worker_is_a_web_shell()
    {
        var e = Event("Microsoft-Windows-Security-Auditing", "Security", 4663, 0, ("SubjectUserName", "EX01$"), ("SubjectDomainName", "CONTOSO"),
            ("ObjectType", "File"), ("ObjectName", @"C:\inetpub\wwwroot\aspnet_client\system_web\error.aspx"), ("AccessMask", "0x2"),
            ("ProcessName", @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\UMWorkerProcess.exe"));
        Assert.Equal(["evt-file-webshell-write"], Ids(e));
        var read = Event("Microsoft-Windows-Security-Auditing", "Security", 4663, 0, ("ObjectName", @"C:\inetpub\wwwroot\aspnet_client\system_web\error.aspx"),
            ("AccessMask", "0x1"), ("ProcessName", @"C:\Windows\System32\inetsrv\w3wp.exe"));
        Assert.Empty(Ids(read));
    }

    [Fact]
    public void Event_rules_allocate_nothing_on_events_that_do_not_match()
    {
        var rules = EventFixtures.Rules;
        Assert.True(rules.Length >= 25, $"only {rules.Length} event rules found");
        WinEvent[] benign =
        [
            Sysmon1(@"C:\Windows\System32\svchost.exe", @"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule", @"C:\Windows\System32\services.exe"),
            Sysmon11(@"C:\Windows\system32\svchost.exe", @"C:\inetpub\temp\appPools\APC3606.tmp"),
            Sysmon(10, ("SourceImage", @"C:\Windows\system32\rundll32.exe"), ("TargetImage", @"C:\Windows\system32\lsass.exe"), ("GrantedAccess", "0x1400"), ("CallTrace", "ntdll.dll+a6084")),
            Sysmon(3, ("Image", @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeHMWorker.exe"), ("DestinationPort", "443")),
            Security4688(@"C:\Windows\System32\wbem\WmiApSrv.exe", @"C:\Windows\system32\wbem\WmiApSrv.exe", @"C:\Windows\System32\services.exe"),
            Event("MSExchange Front End HTTP Proxy", "Application", 1002, 4, ("Message", "[Owa] Application shutting down.")),
            Event("MSExchange Control Panel", "Application", 4, 2, ("Message", "System.NullReferenceException: Object reference not set to an instance of an object.")),
            Event("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational", 1116, 3, ("Threat Name", "Trojan:Win32/Wacatac.B!ml")),
        ];
        var context = new ScanContext();
        var origin = new EventOrigin("a.json", 1);
        foreach (var e in benign) foreach (var r in rules) r.Inspect(e, origin, context);   // warm up (static data, JIT)
        // The least of three runs: a one-off runtime allocation on a loaded machine is not the rules' doing.
        var allocated = Enumerable.Range(0, 3).Min(_ =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
                foreach (var e in benign) foreach (var r in rules) r.Inspect(e, origin, context);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
        Assert.Equal(0, context.Findings.Count);
        Assert.Equal(0, allocated);
    }
}
