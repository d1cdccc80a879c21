using System.Buffers.Binary;
using System.Text;
using System.Xml.Linq;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Support;
using static Exhunt.Tests.Evtx.EvtxSamples;

namespace Exhunt.Tests.Evtx;

public sealed class EvtxReaderTests
{
    [Fact]
    public void System_fields_and_named_event_data_come_without_rendering_xml()
    {
        var (events, stats) = Read(File((7, EventData(("SubjectUserName", "EX01$"), ("NewProcessName", @"C:\Windows\System32\cmd.exe"), ("CommandLine", "cmd /c whoami")))));
        Assert.Empty(stats.Errors);
        Assert.Equal(1, stats.Records);
        var (e, id) = Assert.Single(events);
        Assert.Equal(7, id);
        Assert.Equal("Microsoft-Windows-Security-Auditing", e.Provider);
        Assert.Equal("{54849625-5478-4994-A5BA-3E3B0328C30D}", e.ProviderGuid);
        Assert.Equal(4688, e.EventId);
        Assert.Null(e.Qualifiers);
        Assert.Equal(2, e.Version);
        Assert.Equal(0, e.Level);
        Assert.Equal(13312, e.Task);
        Assert.Equal(0, e.Opcode);
        Assert.Equal(0x8020000000000000UL, e.Keywords);
        Assert.Equal(Time, e.TimeCreated);
        Assert.Equal(7UL, e.RecordId);
        Assert.Equal("{11111111-2222-3333-4444-555555555555}", e.ActivityId);
        Assert.Null(e.RelatedActivityId);
        Assert.Equal(4u, e.ProcessId);
        Assert.Equal(5132u, e.ThreadId);
        Assert.Equal("Security", e.Channel);
        Assert.Equal("EX01.contoso.local", e.Computer);
        Assert.Equal("S-1-5-18", e.UserId);
        Assert.Equal("cmd /c whoami", e.Get("CommandLine"));
        Assert.Equal(["SubjectUserName", "NewProcessName", "CommandLine"], e.Data.Select(d => d.Key));
        Assert.Equal(Time, stats.First);
    }

    [Fact]
    public void Unnamed_data_are_numbered_and_userdata_leaves_are_named_by_element()
    {
        var userData = V.BinXml(x => x.Element("UserData", u => u
            .Element("LogFileCleared", l => l
                .Element("SubjectUserName", c => c.Text("admin"))
                .Element("SubjectDomainName", c => c.Text("CONTOSO")), ("xmlns", a => a.Text("http://manifests.microsoft.com/win/2004/08/windows/eventlog")))));
        var (events, _) = Read(File((1, EventData((null, "first"), (null, "second"))), (2, userData)));
        Assert.Equal([new("Data1", "first"), new("Data2", "second")], events[0].Event.Data);
        Assert.Equal([new("SubjectUserName", "admin"), new("SubjectDomainName", "CONTOSO")], events[1].Event.Data);
    }

    [Fact]
    public void Xml_is_rendered_only_on_request_and_is_well_formed()
    {
        var xml = Assert.Single(Xml(File((9, EventData(("CommandLine", "a < b & \"c\""))))));
        var doc = XElement.Parse(xml);
        XNamespace ns = Ns;
        Assert.Equal("4688", doc.Element(ns + "System")!.Element(ns + "EventID")!.Value);
        Assert.Equal("2021-03-03T04:05:06.1234567Z", doc.Element(ns + "System")!.Element(ns + "TimeCreated")!.Attribute("SystemTime")!.Value);
        Assert.Equal("a < b & \"c\"", doc.Element(ns + "EventData")!.Element(ns + "Data")!.Value);
        Assert.Equal("S-1-5-18", doc.Element(ns + "System")!.Element(ns + "Security")!.Attribute("UserID")!.Value);
    }

    public static TheoryData<byte, byte[], string> ValueTypes() => new()
    {
        { 0x01, Encoding.Unicode.GetBytes("héllo\0"), "héllo" },
        { 0x02, "ansi\0"u8.ToArray(), "ansi" },
        { 0x02, [0x80, 0x20, 0xE9, 0x93, 0x94], "€ é“”" },
        { 0x03, [0xFE], "-2" },
        { 0x04, [0xFE], "254" },
        { 0x05, [0xFE, 0xFF], "-2" },
        { 0x06, [0xFE, 0xFF], "65534" },
        { 0x07, [0xFE, 0xFF, 0xFF, 0xFF], "-2" },
        { 0x08, [0xFE, 0xFF, 0xFF, 0xFF], "4294967294" },
        { 0x09, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "-2" },
        { 0x0A, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "18446744073709551614" },
        { 0x0B, BitConverter.GetBytes(1.5f), "1.5" },
        { 0x0C, BitConverter.GetBytes(-0.25), "-0.25" },
        { 0x0D, [1, 0, 0, 0], "true" },
        { 0x0D, [0, 0, 0, 0], "false" },
        { 0x0E, [0xDE, 0xAD, 0x01], "DEAD01" },
        { 0x0F, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff").ToByteArray(), "{00112233-4455-6677-8899-AABBCCDDEEFF}" },
        { 0x10, [0x10, 0, 0, 0], "0x10" },
        { 0x10, [0x10, 0, 0, 0, 0, 0, 0, 1], "0x100000000000010" },
        { 0x11, BitConverter.GetBytes(new DateTime(2021, 3, 3, 0, 0, 1, DateTimeKind.Utc).AddTicks(5).ToFileTimeUtc()), "2021-03-03T00:00:01.0000005Z" },
        { 0x12, [0xE5, 0x07, 3, 0, 3, 0, 3, 0, 4, 0, 5, 0, 6, 0, 0x7B, 0], "2021-03-03T04:05:06.123Z" },
        { 0x13, [1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xF4, 1, 0, 0], "S-1-5-21-1-2-3-500" },
        { 0x14, [0x2d, 0, 0, 0], "0x2d" },
        { 0x15, [0xa7, 0xe1, 0x15, 0, 0, 0, 0, 0], "0x15e1a7" },
        { 0x81, Encoding.Unicode.GetBytes("a\0b\0"), "a|b" },
        { 0x82, "x\0y\0"u8.ToArray(), "x|y" },
        { 0x86, [1, 0, 2, 0], "1|2" },
        { 0x88, [1, 0, 0, 0, 2, 0, 0, 0], "1|2" },
        { 0x8F, [.. Guid.Empty.ToByteArray(), .. Guid.Empty.ToByteArray()], "{00000000-0000-0000-0000-000000000000}|{00000000-0000-0000-0000-000000000000}" },
        { 0x91, [.. BitConverter.GetBytes(0L), .. BitConverter.GetBytes(0L)], "1601-01-01T00:00:00.0000000Z|1601-01-01T00:00:00.0000000Z" },
        { 0x93, [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 5, 19, 0, 0, 0], "S-1-5-18|S-1-5-19" },
        { 0x95, [1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0], "0x1|0xff" },
    };

    /// <summary>Every substitution value type renders as Windows renders it; arrays repeat their element once per item.</summary>
    [Theory]
    [MemberData(nameof(ValueTypes))]
    public void Substitution_value_types_render_as_windows_does(byte type, byte[] data, string expected)
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("t", t => t.Element("Event", e => e.Element("EventData", d => d
            .Element("Data", c => c.Sub(0, type), ("Name", a => a.Text("Value"))))), (type, data)).Eof());
        var (events, stats) = Read(b.Build());
        Assert.Empty(stats.Errors);
        var e = Assert.Single(events).Event;
        Assert.Equal(expected, string.Join("|", e.Data.Select(d => d.Value)));
        Assert.All(e.Data, d => Assert.Equal("Value", d.Key));
    }

    [Fact]
    public void Array_substitution_in_an_attribute_is_joined()
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("t", t => t.Element("Event", e => e.Element("EventData", null, ("List", a => a.Sub(0, 0x81)))),
            V.Raw(0x81, Encoding.Unicode.GetBytes("a\0b\0"))).Eof());
        Assert.Contains("List=\"a, b\"", Assert.Single(Xml(b.Build())));
    }

    [Fact]
    public void Template_defined_once_is_reused_by_later_records_and_names_by_offset()
    {
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))), (3, EventData(("A", "3"))));
        var (events, stats) = Read(file);
        Assert.Empty(stats.Errors);
        Assert.Equal(["1", "2", "3"], events.Select(e => e.Event.Get("A")));
        Assert.Equal([1L, 2, 3], events.Select(e => e.Id));
    }

    [Fact]
    public void Character_and_entity_references_and_cdata_are_resolved()
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Element("Event", e => e.Element("EventData", d => d
            .Element("Data", c => c.Text("a").U8(0x48).U16(0x263A).U8(0x49).Name("amp").Text("b"), ("Name", a => a.Text("X")))
            .Element("Data", c => c.U8(0x07).U16(3).Utf16("<c>"), ("Name", a => a.Text("Y"))))).Eof());
        var file = b.Build();
        var e = Assert.Single(Read(file).Events).Event;
        Assert.Equal("a☺&b", e.Get("X"));
        Assert.Equal("<c>", e.Get("Y"));
        var xml = Assert.Single(Xml(file));
        Assert.Contains("a&#9786;&amp;b", xml);
        Assert.Contains("<![CDATA[<c>]]>", xml);
    }

    [Fact]
    public void Reads_a_non_seekable_stream_that_returns_few_bytes_at_a_time()
    {
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))));
        var (events, stats) = Read(new TrickleStream(file));
        Assert.Empty(stats.Errors);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Chunks_beyond_a_clean_header_count_are_read_and_counted_as_recovered()
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("event", EventTemplate, Values(1, EventData(("A", "1")))).Eof());
        var second = b.Chunk();
        second.Record(2, w => w.Fragment().Template("event", EventTemplate, Values(2, EventData(("A", "2")))).Eof());
        second.Record(3, w => w.Fragment().Template("event", EventTemplate, Values(3, EventData(("A", "3")))).Eof());
        var (events, stats) = Read(b.Build(headerChunks: 1, nextRecordId: 2));
        Assert.Equal(3, events.Count);
        Assert.Equal(3, stats.Records);
        Assert.Equal(2, stats.Recovered);
    }

    [Fact]
    public void Records_past_the_free_space_offset_that_continue_the_sequence_are_recovered()
    {
        var b = new EvtxBuilder();
        var c = b.Chunk();
        c.Record(1, w => w.Fragment().Template("event", EventTemplate, Values(1, EventData(("A", "1")))).Eof());
        var staleFree = c.Position;
        c.Record(2, w => w.Fragment().Template("event", EventTemplate, Values(2, EventData(("A", "2")))).Eof());
        var file = b.Build();
        // A dirty chunk: the header's free-space offset was not updated after record 2 was written.
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + 48), (uint)staleFree);
        var (events, stats) = Read(file);
        Assert.Equal(2, events.Count);
        Assert.Equal(1, stats.Recovered);
        Assert.Contains(stats.Errors, e => e.Contains("checksum"));
    }

    [SkippableFact]
    public void Real_security_event_fields_match_the_rendered_xml()
    {
        var (e, _) = ReadCorpusRecord("EVTX-ATTACK-SAMPLES/Credential Access/CA_DCSync_4662.evtx", 1);
        Assert.Equal("Microsoft-Windows-Security-Auditing", e.Provider);
        Assert.Equal("{54849625-5478-4994-A5BA-3E3B0328C30D}", e.ProviderGuid);
        Assert.Equal(4662, e.EventId);
        Assert.Equal(14080, e.Task);
        Assert.Equal(0x8020000000000000UL, e.Keywords);
        Assert.Equal(202791UL, e.RecordId);
        Assert.Equal(444u, e.ProcessId);
        Assert.Equal(4632u, e.ThreadId);
        Assert.Equal("Security", e.Channel);
        Assert.Equal("DC1.insecurebank.local", e.Computer);
        Assert.Equal("Administrator", e.Get("SubjectUserName"));
        Assert.Equal("0x40c6511", e.Get("SubjectLogonId"));
        Assert.Equal("%{19195a5b-6da0-11d0-afd3-00c04fd930c9}", e.Get("ObjectType"));
        Assert.Equal(new DateTime(2019, 5, 8, 2, 10, 43, DateTimeKind.Utc).AddTicks(4872170), e.TimeCreated!.Value.AddTicks(-(e.TimeCreated.Value.Ticks % 10)));
    }

    [SkippableFact]
    public void Dirty_file_records_past_a_stale_header_next_record_id_are_ordinary_not_recovered()
    {
        // File header: dirty flag, next record id 74; its one chunk declares and holds records 74..89 (python-evtx reads
        // all 16 too). The header's record id is stale, but the records are inside their chunk's declared range (issue 6).
        using var s = System.IO.File.OpenRead(Corpus.Path_("evtx/hayabusa-sample-evtx/YamatoSecurity/IntialAccess/ValidAccounts/ID302 RDS Gateway Logon Logoff.evtx"));
        var (events, stats) = Read(s);
        Assert.Equal(Enumerable.Range(74, 16).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal(16, stats.Records);
        Assert.Equal(0, stats.Recovered);
        Assert.Empty(stats.Errors);
    }

    private static (WinEvent, long) ReadCorpusRecord(string relative, long id)
    {
        using var s = System.IO.File.OpenRead(Corpus.Path_("evtx/" + relative));
        var (events, _) = Read(s);
        return events.First(x => x.Id == id);
    }
}

/// <summary>A forward-only stream that hands out at most 7 bytes per read, as a zip entry stream may.</summary>
internal sealed class TrickleStream(byte[] data) : Stream
{
    private int _pos;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, 7), data.Length - _pos);
        Array.Copy(data, _pos, buffer, offset, n);
        _pos += n;
        return n;
    }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
