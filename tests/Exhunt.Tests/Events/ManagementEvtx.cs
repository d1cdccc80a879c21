using System.Text;
using Exhunt.Detection;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Evtx;

namespace Exhunt.Tests.Events;

/// <summary>
/// .evtx files written in the shape Exchange writes the MSExchange Management log: a classic provider
/// ("MSExchange CmdletLogs", no GUID) and ONE &lt;Data&gt; whose value is a string array (type 0x81), followed by an
/// empty &lt;Binary&gt;, as in the hayabusa ID6 and evtx-rs MSExchange_Management_wec.evtx samples.
/// </summary>
internal static class ManagementEvtx
{
    public const string Computer = "EX01.contoso.local";
    public static readonly DateTime Time = new(2021, 8, 13, 17, 1, 2, DateTimeKind.Utc);

    private static void Template(BinXmlWriter w) =>
        w.Element("Event", e => e
            .Element("System", s => s
                .Element("Provider", null, ("Name", a => a.Sub(0, 0x01, true)))
                .Element("EventID", c => c.Sub(1, 0x06), ("Qualifiers", a => a.Sub(2, 0x06, true)))
                .Element("Level", c => c.Sub(3, 0x04, true))
                .Element("Task", c => c.Sub(4, 0x06, true))
                .Element("Keywords", c => c.Sub(5, 0x15, true))
                .Element("TimeCreated", null, ("SystemTime", a => a.Sub(6, 0x11, true)))
                .Element("EventRecordID", c => c.Sub(7, 0x0A, true))
                .Element("Channel", c => c.Sub(8, 0x01, true))
                .Element("Computer", c => c.Sub(9, 0x01, true))
                .Element("Security", null))
            .Element("EventData", d => d
                .Element("Data", c => c.Sub(10, 0x81, true))
                .Element("Binary", c => c.Sub(11, 0x0E, true))),
            ("xmlns", a => a.Text(EvtxSamples.Ns)));

    /// <summary>The 27 items of a real record (positions per Data/events/msexchange-management-fields.json).</summary>
    public static string[] Items(int eventId, string cmdlet, string parameters, string caller = "contoso.local/Users/Administrator",
        string hostProcess = "8372 w3wp#MSExchangePowerShellAppPool", string error = "") =>
    [
        cmdlet, parameters, caller, "S-1-5-21-1004336348-1177238915-682003330-500", "S-1-5-21-1004336348-1177238915-682003330-500",
        "Remote-ManagementShell-Unknown", hostProcess, "", "54", "00:00:00.0080007",
        "View Entire Forest: 'False', Default Scope: 'contoso.local', Configuration Domain Controller: 'dc01.contoso.local', Preferred Global Catalog: 'dc01.contoso.local', Preferred Domain Controllers: '{ dc01.contoso.local }'",
        error, eventId == 1 ? "" : "5", "", eventId == 1 ? "" : "NonLocalizedException", "", "", "False", "",
        "0 objects execution has been proxied to remote server.", "", "", "0", "ActivityId: 82cc33be-98c2-4050-bd7f-53aaed825502",
        "ServicePlan:;IsAdmin:True;", "", "en-US",
    ];

    public static byte[] File(params (int EventId, string[] Items)[] records)
    {
        var b = new EvtxBuilder();
        var c = b.Chunk();
        ulong id = 7184;
        foreach (var (eventId, items) in records)
        {
            var array = Encoding.Unicode.GetBytes(string.Concat(items.Select(i => i + "\0")));
            var recordId = id++;
            c.Record(recordId, w => w.Fragment().Template("management", Template,
                V.Str("MSExchange CmdletLogs"), V.U16((ushort)eventId), V.U16(eventId == 1 ? (ushort)16384 : (ushort)49152),
                V.U8(eventId == 1 ? (byte)4 : (byte)2), V.U16(1), V.Hex64(0x80000000000000), V.FileTime(Time), V.U64(recordId),
                V.Str("MSExchange Management"), V.Str(Computer), V.Raw(0x81, array), V.Null()).Eof());
        }
        return b.Build();
    }

    /// <summary>Reads a file with our EVTX reader.</summary>
    public static List<(WinEvent Event, long Id)> Read(byte[] file)
    {
        var (events, stats) = EvtxSamples.Read(file);
        Assert.Empty(stats.Errors);
        return events;
    }

    public static List<(WinEvent Event, long Id)> Read(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        var (events, _) = EvtxSamples.Read(stream);
        return events;
    }

    /// <summary>This area's event rules over events read by our reader.</summary>
    public static List<Finding> Detect(IEnumerable<(WinEvent Event, long Id)> events, string artifact = "Logs/MSExchange Management.evtx")
    {
        var context = new ScanContext();
        foreach (var (e, id) in events)
            foreach (var rule in EventFixtures.Rules)
                rule.Inspect(e, new EventOrigin(artifact, id), context);
        return context.Findings.Snapshot().ToList();
    }
}
