using Exhunt.Readers;
using Exhunt.Readers.Evtx;

namespace Exhunt.Tests.Evtx;

/// <summary>Synthetic events shaped like real ones (System block of a Security event, EventData as Binary XML).</summary>
internal static class EvtxSamples
{
    public const string Ns = "http://schemas.microsoft.com/win/2004/08/events/event";
    public static readonly Guid Provider = Guid.Parse("54849625-5478-4994-a5ba-3e3b0328c30d");
    public static readonly DateTime Time = new DateTime(2021, 3, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567);

    /// <summary>The template of a typical manifest event; value 18 is the EventData/UserData Binary XML.</summary>
    public static void EventTemplate(BinXmlWriter w) =>
        w.Element("Event", e => e
            .Element("System", s => s
                .Element("Provider", null, ("Name", a => a.Sub(0, 0x01, true)), ("Guid", a => a.Sub(1, 0x0F, true)))
                .Element("EventID", c => c.Sub(3, 0x06), ("Qualifiers", a => a.Sub(2, 0x06, true)))
                .Element("Version", c => c.Sub(4, 0x04, true))
                .Element("Level", c => c.Sub(5, 0x04, true))
                .Element("Task", c => c.Sub(6, 0x06, true))
                .Element("Opcode", c => c.Sub(7, 0x04, true))
                .Element("Keywords", c => c.Sub(8, 0x15, true))
                .Element("TimeCreated", null, ("SystemTime", a => a.Sub(9, 0x11, true)))
                .Element("EventRecordID", c => c.Sub(10, 0x0A, true))
                .Element("Correlation", null, ("ActivityID", a => a.Sub(11, 0x0F, true)), ("RelatedActivityID", a => a.Sub(12, 0x0F, true)))
                .Element("Execution", null, ("ProcessID", a => a.Sub(13, 0x08, true)), ("ThreadID", a => a.Sub(14, 0x08, true)))
                .Element("Channel", c => c.Sub(15, 0x01, true))
                .Element("Computer", c => c.Sub(16, 0x01, true))
                .Element("Security", null, ("UserID", a => a.Sub(17, 0x13, true))))
            .Sub(18, 0x21, true),
            ("xmlns", a => a.Text(Ns)));

    public static readonly byte[] SystemSid = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]; // S-1-5-18

    public static Val[] Values(ulong recordId, Val data, ushort eventId = 4688) =>
    [
        V.Str("Microsoft-Windows-Security-Auditing"), V.Guid_(Provider), V.Null(), V.U16(eventId), V.U8(2), V.U8(0), V.U16(13312), V.U8(0),
        V.Hex64(0x8020000000000000), V.FileTime(Time), V.U64(recordId), V.Guid_(Guid.Parse("11111111-2222-3333-4444-555555555555")), V.Null(),
        V.U32(4), V.U32(5132), V.Str("Security"), V.Str("EX01.contoso.local"), V.Raw(0x13, SystemSid), data,
    ];

    /// <summary>EventData with named values (as a Binary XML value, like real records).</summary>
    public static Val EventData(params (string? Name, string Value)[] data) => V.BinXml(x => x.Element("EventData", d =>
    {
        foreach (var (name, value) in data)
        {
            if (name is null) d.Element("Data", c => c.Text(value));
            else d.Element("Data", c => c.Text(value), ("Name", a => a.Text(name)));
        }
    }));

    public static byte[] File(params (ulong Id, Val Data)[] records)
    {
        var b = new EvtxBuilder();
        var c = b.Chunk();
        foreach (var (id, data) in records)
            c.Record(id, w => w.Fragment().Template("event", EventTemplate, Values(id, data)).Eof());
        return b.Build();
    }

    public static (List<(WinEvent Event, long Id)> Events, ReaderStats Stats) Read(byte[] file) => Read(new MemoryStream(file));

    public static (List<(WinEvent Event, long Id)> Events, ReaderStats Stats) Read(Stream stream)
    {
        var stats = new ReaderStats();
        var events = new List<(WinEvent, long)>();
        EvtxReader.Read(stream, stats, (e, id) => events.Add((e, id)));
        return (events, stats);
    }

    public static List<string> Xml(byte[] file, ReaderStats? stats = null)
    {
        var list = new List<string>();
        EvtxFile.ReadRecords(new MemoryStream(file), stats ?? new ReaderStats(), r => list.Add(r.ToXml()));
        return list;
    }
}
