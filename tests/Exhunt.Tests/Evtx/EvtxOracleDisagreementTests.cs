using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Evtx;

/// <summary>
/// Where python-evtx (the oracle), evtxexport (libevtx-utils) and we disagree, which is right — checked against the
/// record bytes and the format, and pinned here. Values quoted from evtxexport -f xml were read from its output.
/// </summary>
public sealed class EvtxOracleDisagreementTests
{
    internal static (string Xml, WinEvent Event) Record(string relative, ulong id)
    {
        var path = Corpus.Path_("evtx/" + relative);
        (string, WinEvent)? found = null;
        using var s = File.OpenRead(path);
        EvtxFile.ReadRecords(s, new ReaderStats(), r =>
        {
            if (r.Id == id) found = (r.ToXml(), r.ToEvent());
        });
        Assert.True(found.HasValue, $"record {id} not read from {relative}");
        return found!.Value;
    }

    private static IEnumerable<string> Unnamed(WinEvent e) => e.Data.Where(d => d.Key.StartsWith("Data", StringComparison.Ordinal) && d.Key != "Data").Select(d => d.Value);

    [SkippableFact]
    public void String_array_items_keep_their_order_python_evtx_moves_a_leading_empty_item()
    {
        // Bytes of the array start with a UTF-16 NUL: the first item is empty. evtxexport: <Data/> <Data>0</Data> <Data>WindowsUpdateFailure</Data>.
        // python-evtx: <string>0</string><string></string><string>WindowsUpdateFailure</string>.
        var (xml, e) = Record("hayabusa-sample-evtx/DeepBlueCLI/many-events-application.evtx", 153);
        Assert.Equal(["", "0", "WindowsUpdateFailure", "Not available"], Unnamed(e).Take(4));
        Assert.Equal("Data1", e.Data[0].Key);
        Assert.Contains("<EventData><Data></Data><Data>0</Data><Data>WindowsUpdateFailure</Data>", xml);
    }

    [SkippableFact]
    public void String_array_is_one_element_per_item_python_evtx_wraps_items_in_string_text()
    {
        // Classic PowerShell 800: evtxexport renders three <Data> elements; python-evtx one <Data> holding "&lt;string&gt;" text.
        var (_, e) = Record("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0007-Discovery/T1069-Permission Groups Discovery/ID800-4103-4104-Domain group discovery via PowerShell.evtx", 1);
        var items = Unnamed(e).ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal("", items[0]);
        Assert.StartsWith("\tDetailSequence=1", items[1]);
        Assert.Equal("CommandInvocation(PSConsoleHostReadline): \"PSConsoleHostReadline\"\r\n", items[2]);
    }

    [SkippableFact]
    public void String_array_split_keeps_characters_whose_low_byte_is_zero_python_evtx_loses_them()
    {
        // U+2500 '─' is bytes 00 25: python-evtx splits the array there and drops it ("└</string><string>> (subnet)").
        var (_, e) = Record("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0007-Discovery/T1482-Domain Trust Discovery/ID800,4103,4104-Active Directory Forest PowerShell class.evtx", 1);
        Assert.Contains(Unnamed(e), v => v.Contains("write-host \"    └─> (subnet) $r\""));
    }

    [SkippableFact]
    public void Control_characters_in_values_are_kept_python_evtx_drops_them()
    {
        // evtxexport prints PrivilegeList as U+0094 U+0002 '-'; python-evtx as "&#148;-". We keep the value; XML 1.0 forbids U+0002 even as &#x2;, so the XML shows it as the visible escape \u0002.
        var (xml, e) = Record("EVTX-ATTACK-SAMPLES/Discovery/dicovery_4661_net_group_domain_admins_target.evtx", 12);
        Assert.Equal("\u0094\u0002-", e.Get("PrivilegeList"));
        Assert.Contains("<Data Name=\"PrivilegeList\">\u0094\\u0002-</Data>", xml);
        Assert.Null(EvtxRsSamplesTests.StrictXmlError(xml));
    }

    [SkippableFact]
    public void Null_optional_attributes_are_omitted_as_windows_and_evtxexport_python_evtx_writes_them_empty()
    {
        // evtxexport: <EventID>4662</EventID> <Correlation/> <Security/>; python-evtx: Qualifiers="" ActivityID="" UserID="".
        var (xml, e) = Record("EVTX-ATTACK-SAMPLES/Credential Access/CA_DCSync_4662.evtx", 1);
        Assert.Contains("<EventID>4662</EventID>", xml);
        Assert.Contains("<Correlation></Correlation>", xml);
        Assert.Contains("<Security></Security>", xml);
        Assert.Null(e.Qualifiers);
        Assert.Null(e.ActivityId);
        Assert.Null(e.UserId);
    }

    [SkippableFact]
    public void Hex_integers_render_unpadded_as_windows_python_evtx_and_evtxexport_pad()
    {
        // Windows renders HexInt64 SubjectLogonId as 0x40c6511 (Sigma rules match '0x3e7'); both references write 0x00000000040c6511.
        var (xml, e) = Record("EVTX-ATTACK-SAMPLES/Credential Access/CA_DCSync_4662.evtx", 1);
        Assert.Equal("0x40c6511", e.Get("SubjectLogonId"));
        Assert.Equal("0x100", e.Get("AccessMask"));
        Assert.Contains("<Keywords>0x8020000000000000</Keywords>", xml);
    }

    [SkippableFact]
    public void Booleans_render_lowercase_as_windows_and_evtxexport_python_evtx_says_False()
    {
        var (xml, e) = Record("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0011-Command and Control/T1090-Proxy/ID5600-proxy configuration changed.evtx", 1);
        Assert.Equal("false", e.Get("fAutoDetect"));
        Assert.Contains("<Data Name=\"fAutoDetect\">false</Data>", xml);
    }

    [SkippableFact]
    public void Binary_renders_as_uppercase_hex_as_evtxexport_python_evtx_uses_base64()
    {
        var (_, e) = Record("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0003-Persistence/T1505.001-SQL Stored Procedures/ID15457-SQL Server CMDshell enabled.evtx", 1);
        Assert.StartsWith("613C00000A0000000E0000004D00530053", e.Get("Binary"));
    }

    [SkippableFact]
    public void FileTime_keeps_100ns_precision_python_evtx_rounds_through_a_float()
    {
        // evtxexport: SystemTime="2021-10-31T14:37:10.246001700Z"; python-evtx: "2021-10-31 14:37:10.246000".
        var (xml, e) = Record("hayabusa-sample-evtx/EVTX-to-MITRE-Attack/TA0007-Discovery/T1069-Permission Groups Discovery/ID800-4103-4104-Domain group discovery via PowerShell.evtx", 1);
        Assert.Contains("SystemTime=\"2021-10-31T14:37:10.2460017Z\"", xml);
        Assert.Equal(new DateTime(2021, 10, 31, 14, 37, 10, DateTimeKind.Utc).AddTicks(2460017), e.TimeCreated);
    }

    [SkippableFact]
    public void Records_without_dependency_identifiers_are_read_where_python_evtx_and_evtxexport_fail()
    {
        // These records' element starts omit the 2-byte dependency identifier. python-evtx: OverrunBufferException;
        // evtxexport: "invalid binary XML token". Both layouts are tried and the consistent one is taken.
        var path = Corpus.Path_("evtx/hayabusa-sample-evtx/EVTX-to-MITRE-Attack/Antivirus/ID1116-1117-Defender threat detected.evtx");
        var stats = new ReaderStats();
        var events = new List<WinEvent>();
        using (var s = File.OpenRead(path)) EvtxReader.Read(s, stats, (e, _) => events.Add(e));
        Assert.Empty(stats.Errors);
        Assert.Equal(6, events.Count);
        Assert.All(events, e => Assert.Contains(e.EventId, new[] { 1116, 1117 }));
        Assert.All(events, e => Assert.Equal("Microsoft-Windows-Windows Defender", e.Provider));
        Assert.All(events, e => Assert.NotNull(e.Get("Threat Name")));
    }
}
