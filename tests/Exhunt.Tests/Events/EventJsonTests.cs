using System.IO.Compression;
using System.Text;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Readers.EventJson;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Events;

public class EventJsonTests
{
    // A Sysmon 1 line exactly as the OTRF ProxyLogon export writes it (Message shortened).
    private const string OtrfSysmon1 = """
        {"SourceName":"Microsoft-Windows-Sysmon","ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","Level":"4","Keywords":"0x8000000000000000","Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"MXS01.azsentinel.local","TimeCreated":"2021-03-14T01:40:15.342Z","@timestamp":"2021-03-14T01:40:15.342Z","EventID":1,"Message":"Process Create:\r\nRuleName: -","Task":"1","RuleName":"-","UtcTime":"2021-03-14 06:40:15.338","ProcessGuid":"{6004D249-AFCF-604D-2A27-000000000900}","ProcessId":"23392","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","CurrentDirectory":"c:\\windows\\system32\\inetsrv\\","User":"NT AUTHORITY\\SYSTEM","ParentProcessId":"10844","ParentImage":"C:\\Windows\\System32\\inetsrv\\w3wp.exe","ShareLocalPath":null}
        """;

    // Winlogbeat 7/8: System fields under winlog.*, EventData under winlog.event_data, text level under log.level.
    private const string Winlogbeat4688 = """
        {"@timestamp":"2021-03-14T06:40:15.338Z","event":{"code":"4688","kind":"event","provider":"Microsoft-Windows-Security-Auditing","action":"Process Creation"},"winlog":{"channel":"Security","event_id":"4688","provider_name":"Microsoft-Windows-Security-Auditing","provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}","computer_name":"MXS01.azsentinel.local","record_id":412345,"task":"Process Creation","opcode":"Info","keywords":["Audit Success"],"process":{"pid":4,"thread":{"id":7624}},"event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"MXS01$","SubjectDomainName":"AZSENTINEL","NewProcessId":"0x5b60","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ProcessId":"0x2a5c","CommandLine":"cmd /c whoami","ParentProcessName":"C:\\Windows\\System32\\inetsrv\\w3wp.exe"},"api":"wineventlog"},"log":{"level":"information"},"host":{"name":"mxs01"},"message":"A new process has been created."}
        """;

    private static (List<WinEvent> Events, List<long> Lines, ReaderStats Stats) Read(string content) => Read(Encoding.UTF8.GetBytes(content));

    private static (List<WinEvent> Events, List<long> Lines, ReaderStats Stats) Read(byte[] bytes)
    {
        var stats = new ReaderStats();
        var events = new List<WinEvent>();
        var lines = new List<long>();
        JsonEventReader.Read(new MemoryStream(bytes), stats, (e, line) => { events.Add(e); lines.Add(line); });
        return (events, lines, stats);
    }

    [Fact]
    public void Maps_the_flattened_OTRF_shape()
    {
        var (events, lines, stats) = Read(OtrfSysmon1);
        var e = Assert.Single(events);
        Assert.Equal(1, lines[0]);
        Assert.Equal("Microsoft-Windows-Sysmon", e.Provider);
        Assert.Equal("Microsoft-Windows-Sysmon/Operational", e.Channel);
        Assert.Equal(1, e.EventId);
        Assert.Equal(4, e.Level);
        Assert.Equal(1, e.Task);
        Assert.Equal(0x8000000000000000UL, e.Keywords);
        Assert.Equal("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", e.ProviderGuid);
        Assert.Equal("MXS01.azsentinel.local", e.Computer);
        Assert.Equal(new DateTime(2021, 3, 14, 1, 40, 15, 342, DateTimeKind.Utc), e.TimeCreated);
        Assert.Equal(@"C:\Windows\System32\inetsrv\w3wp.exe", e.Get("ParentImage"));
        Assert.Equal("cmd /c whoami", e.Get("commandline"));
        Assert.Equal("23392", e.Get("ProcessId"));                    // EventData ProcessId stays data
        Assert.Null(e.ProcessId);
        Assert.StartsWith("Process Create:", e.Get("Message"));
        Assert.Null(e.Get("ShareLocalPath"));                           // JSON null is not a value
        Assert.Null(e.Get("SourceName"));                               // System fields are not duplicated as data
        Assert.Equal(1, stats.Records);
        Assert.Equal(0, stats.Skipped);
        Assert.Equal(e.TimeCreated, stats.First);
    }

    [Fact]
    public void Maps_the_nested_Winlogbeat_shape()
    {
        var e = Assert.Single(Read(Winlogbeat4688).Events);
        Assert.Equal("Microsoft-Windows-Security-Auditing", e.Provider);
        Assert.Equal("Security", e.Channel);
        Assert.Equal(4688, e.EventId);
        Assert.Equal(4, e.Level);                                       // log.level "information"
        Assert.Equal(412345UL, e.RecordId);
        Assert.Equal(4U, e.ProcessId);
        Assert.Equal(7624U, e.ThreadId);
        Assert.Null(e.Task);                                            // Winlogbeat task is a name, not a number
        Assert.Equal("MXS01.azsentinel.local", e.Computer);              // winlog.computer_name outranks host.name
        Assert.Equal(new DateTime(2021, 3, 14, 6, 40, 15, 338, DateTimeKind.Utc), e.TimeCreated);
        Assert.Equal(@"C:\Windows\System32\inetsrv\w3wp.exe", e.Get("ParentProcessName"));
        Assert.Equal("0x2a5c", e.Get("ProcessId"));
        Assert.Equal("A new process has been created.", e.Get("Message"));
        Assert.Null(e.Get("api"));                                      // other nested members are not data
    }

    [Fact]
    public void Reads_ECS_process_fields_when_event_data_was_dropped()
    {
        const string ecs = """{"@timestamp":"2021-03-14T06:40:15.342Z","event":{"code":"1","provider":"Microsoft-Windows-Sysmon","category":["process"],"type":["start"]},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd /c whoami","name":"cmd.exe","pid":23392,"parent":{"executable":"C:\\Windows\\System32\\inetsrv\\w3wp.exe","name":"w3wp.exe","pid":10844}},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","event_data":{"RuleName":"-","IntegrityLevel":"System"}},"user":{"name":"SYSTEM","domain":"NT AUTHORITY"}}""";
        var e = Assert.Single(Read(ecs).Events);
        Assert.Equal(1, e.EventId);
        Assert.Equal(@"C:\Windows\System32\cmd.exe", e.Get("Image"));
        Assert.Equal(@"C:\Windows\System32\inetsrv\w3wp.exe", e.Get("ParentImage"));
        Assert.Equal("System", e.Get("IntegrityLevel"));
        Assert.Null(e.Get("pid"));
        Assert.Contains("evt-proc-w3wp-shell-unknown-pool", EventFixtures.Ids(e)); // no parent command line: pool unknown
    }

    [Fact]
    public void Reads_PowerShell_and_NXLog_style_fields()
    {
        const string ps = """{"ProviderName":"MSExchange Unified Messaging","LogName":"Application","Id":0,"EventID":1001,"LevelDisplayName":"Error","MachineName":"EX01","TimeCreated":"\/Date(1614712215000)\/","RecordId":77,"Message":"System.InvalidCastException: Unable to cast"}""";
        const string nx = """{"EventTime":"2021-03-03 10:00:00","Hostname":"EX01","Keywords":-9187343239835811840,"EventType":"ERROR","SeverityValue":4,"Severity":"ERROR","EventID":4,"SourceName":"MSExchange Unified Messaging","Channel":"Application","RecordNumber":991,"ExecutionProcessID":1234,"Message":"x"}""";
        var (events, _, stats) = Read(ps + "\n" + nx + "\n");
        Assert.Equal(2, events.Count);
        Assert.Equal("MSExchange Unified Messaging", events[0].Provider);
        Assert.Equal(2, events[0].Level);
        Assert.Equal(new DateTime(2021, 3, 2, 19, 10, 15, DateTimeKind.Utc), events[0].TimeCreated);
        Assert.Equal(77UL, events[0].RecordId);
        Assert.Equal(1001, events[0].EventId);
        Assert.Equal(new DateTime(2021, 3, 3, 10, 0, 0, DateTimeKind.Utc), events[1].TimeCreated);
        Assert.Equal(1234U, events[1].ProcessId);
        Assert.Null(events[1].Keywords);                                 // negative number: not a keyword mask, ignored
        Assert.Null(events[1].Get("SeverityValue"));
        Assert.Equal(0, stats.Skipped);
    }

    [Fact]
    public void Reads_one_line_evtx_dump_objects()
    {
        const string line = """{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"5770385F-C22A-43E0-BF4C-06F5698FFBD9"}},"EventID":11,"Version":2,"Level":4,"Task":11,"Opcode":0,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":"2025-10-24T23:45:24.807660Z"}},"EventRecordID":28881,"Correlation":null,"Execution":{"#attributes":{"ProcessID":3308,"ThreadID":4008}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ar-win-dc.attackrange.local","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"RuleName":"-","ProcessId":10048,"Image":"C:\\Windows\\system32\\cmd.exe","TargetFilename":"C:\\lsass.dmp","User":"ATTACKRANGE\\Administrator"}}}""";
        var e = Assert.Single(Read(line).Events);
        Assert.Equal("Microsoft-Windows-Sysmon", e.Provider);
        Assert.Equal(11, e.EventId);
        Assert.Equal(28881UL, e.RecordId);
        Assert.Equal(3308U, e.ProcessId);
        Assert.Equal("S-1-5-18", e.UserId);
        Assert.Equal(@"C:\lsass.dmp", e.Get("TargetFilename"));
        Assert.Equal("10048", e.Get("ProcessId"));
        Assert.Equal(new DateTime(2025, 10, 24, 23, 45, 24, DateTimeKind.Utc).AddTicks(8076600), e.TimeCreated);
    }

    [Fact]
    public void Skips_malformed_lines_with_reasons_and_goes_on()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var content = string.Join("\n",
            "not json at all",
            "{\"EventID\": 1, \"Channel\": ",
            "[1,2,3]",
            "{\"foo\":\"bar\"}",
            "{\"EventID\":4688,\"Channel\":\"Security\",\"x\":" + deep + "}",
            "{\"EventID\":1,\"Channel\":\"Security\"} {\"EventID\":2}",
            "{\"EventID\":\"99999999999\",\"Channel\":\"Security\"}",
            "",
            OtrfSysmon1);
        var (events, lines, stats) = Read(content);
        var e = Assert.Single(events);
        Assert.Equal(9, lines[0]);
        Assert.Equal(7, stats.Skipped);
        Assert.Contains(stats.Errors, m => m.StartsWith("line 7: EventID is not a number"));
        Assert.Contains(stats.Errors, m => m.StartsWith("line 1: malformed JSON"));
        Assert.Contains(stats.Errors, m => m.StartsWith("line 3: not a JSON object"));
        Assert.Contains(stats.Errors, m => m.StartsWith("line 4: no EventID"));
        Assert.Contains(stats.Errors, m => m.StartsWith("line 5: malformed JSON"));   // deeper than MaxDepth
        Assert.Contains(stats.Errors, m => m.StartsWith("line 6:"));
        Assert.Equal("cmd /c whoami", e.Get("CommandLine"));
        Assert.Equal(1, stats.Records);
    }

    [Fact]
    public void Overlong_lines_cost_a_bounded_buffer_and_are_reported()
    {
        var huge = "{\"EventID\":1,\"Channel\":\"Security\",\"CommandLine\":\"" + new string('A', LineReader.MaxLineBytes + 10) + "\"}";
        var (events, lines, stats) = Read(huge + "\n" + OtrfSysmon1);
        Assert.Single(events);
        Assert.Equal(2, lines[0]);
        Assert.Equal(1, stats.Skipped);
        Assert.Contains(stats.Errors, m => m.Contains("longer than"));
    }

    [Fact]
    public void Reads_UTF16_files_and_json_arrays_written_one_object_per_line()
    {
        var text = "[\n" + OtrfSysmon1 + ",\n" + Winlogbeat4688 + "\n]\n";
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray();
        var (events, _, stats) = Read(bytes);
        Assert.Equal(2, events.Count);
        Assert.Equal(0, stats.Skipped);
        Assert.Equal(4688, events[1].EventId);
    }

    [Fact]
    public void Message_only_exports_get_their_fields_back_and_the_rules_fire()
    {
        // Real OTRF Message texts, exported without the EventData fields (as message-only SIEM exports do).
        const string sysmon11 = """{"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":11,"TimeCreated":"2021-03-14T01:40:13.660Z","Message":"File created:\r\nRuleName: -\r\nUtcTime: 2021-03-14 06:40:13.659\r\nProcessGuid: {6004D249-FD90-604C-0100-000000000900}\r\nProcessId: 4\r\nImage: System\r\nTargetFilename: C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\ohyeah.aspx\r\nCreationUtcTime: 2021-03-14 06:40:13.659"}""";
        const string security4688 = """{"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventID":4688,"TimeCreated":"2021-03-14T01:40:15.338Z","Message":"A new process has been created.\r\n\r\nCreator Subject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\tMXS01$\r\n\tAccount Domain:\t\tAZSENTINEL\r\n\tLogon ID:\t\t0x3E7\r\n\r\nTarget Subject:\r\n\tSecurity ID:\t\tS-1-0-0\r\n\tAccount Name:\t\t-\r\n\tAccount Domain:\t\t-\r\n\tLogon ID:\t\t0x0\r\n\r\nProcess Information:\r\n\tNew Process ID:\t\t0x5b60\r\n\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe\r\n\tToken Elevation Type:\t%%1936\r\n\tMandatory Label:\t\tS-1-16-16384\r\n\tCreator Process ID:\t0x2a5c\r\n\tCreator Process Name:\tC:\\Windows\\System32\\inetsrv\\w3wp.exe\r\n\tProcess Command Line:\tcmd /c whoami\r\n\r\nToken Elevation Type indicates the type of token that was assigned to the new process."}""";
        var (events, _, stats) = Read(sysmon11 + "\n" + security4688 + "\n");
        Assert.Equal(2, events.Count);
        Assert.Equal(0, stats.Skipped);
        Assert.Equal("System", events[0].Get("Image"));
        Assert.EndsWith(@"owa\auth\ohyeah.aspx", events[0].Get("TargetFilename"));
        Assert.Equal(@"C:\Windows\System32\cmd.exe", events[1].Get("NewProcessName"));
        Assert.Equal(@"C:\Windows\System32\inetsrv\w3wp.exe", events[1].Get("ParentProcessName"));
        Assert.Equal("cmd /c whoami", events[1].Get("CommandLine"));
        Assert.Equal("MXS01$", events[1].Get("SubjectUserName"));
        Assert.Equal("-", events[1].Get("TargetUserName"));
        var ids = EventFixtures.Ids(events.ToArray());
        Assert.Contains("evt-file-webshell-write", ids);
        Assert.Contains("evt-proc-w3wp-shell-unknown-pool", ids); // 4688 logs no parent command line
    }

    [Fact]
    public void Classifier_routes_exports_to_the_event_json_reader()
    {
        Assert.Equal(ArtifactKind.EventJson, Fixture.File("export/events.json", OtrfSysmon1 + "\n").Kind);
        Assert.Equal(ArtifactKind.EventJson, Fixture.File("export/winlogbeat.ndjson", Winlogbeat4688 + "\n").Kind);
    }

    [SkippableFact]
    public void Reads_every_event_of_the_OTRF_ProxyLogon_export()
    {
        var zipPath = Corpus.Path_("otrf-proxylogon/proxylogon_ssrf_rce_poc.zip");
        using var zip = ZipFile.OpenRead(zipPath);
        var entry = Assert.Single(zip.Entries, x => x.FullName.EndsWith(".json"));
        using var s = entry.Open();
        var stats = new ReaderStats();
        var count = 0;
        var management = 0;
        JsonEventReader.Read(s, stats, (e, _) =>
        {
            count++;
            if (e.Channel == "MSExchange Management") management++;
            Assert.NotEqual(0, e.EventId);
            Assert.NotNull(e.TimeCreated);
        });
        Assert.Equal(10487, count);
        Assert.Equal(10487, stats.Records);
        Assert.Equal(0, stats.Skipped);
        Assert.Equal(3, management);
    }
}
