using System.Buffers.Binary;
using System.Diagnostics;
using System.Xml.Linq;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using static Exhunt.Tests.Evtx.EvtxSamples;

namespace Exhunt.Tests.Evtx;

/// <summary>
/// Issue 6, item 8, on synthetic records built from the format: references inside attribute values, characters XML
/// 1.0 forbids, CDATA and processing-instruction terminators, bad names, torn records, and what counts as recovered.
/// Every rendering must pass a strict XML parser (XmlReader, default settings).
/// </summary>
public sealed class EvtxXmlWellFormedTests
{
    private static string OnlyXml(byte[] file)
    {
        var xml = Assert.Single(Xml(file));
        Assert.Null(EvtxRsSamplesTests.StrictXmlError(xml));
        return xml;
    }

    /// <summary>UTF-16 code units as they are, lone surrogates included (Encoding.Unicode would replace them).</summary>
    private static byte[] Units(string s)
    {
        var b = new byte[s.Length * 2];
        for (var i = 0; i < s.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), s[i]);
        return b;
    }

    private static BinXmlWriter RawText(BinXmlWriter w, string s) => w.U8(0x05).U8(0x01).U16((ushort)s.Length).Bytes(Units(s));

    [Fact]
    public void Entity_and_character_references_inside_an_attribute_value_stay_inside_it()
    {
        // As in CAPI2's eTag: &quot; entity reference, text, a character reference, &quot;.
        var xml = OnlyXml(EvtxBuilder.OneRecordFile(w => w.Fragment().Element("Event", e => e
            .Element("Info", c => c.Text("body"), ("eTag", a => a.U8(0x09).Name("quot").Text("ea9e:0").U8(0x08).U16(0x41).U8(0x09).Name("quot")))).Eof()));
        Assert.Equal("<Event><Info eTag=\"&quot;ea9e:0&#65;&quot;\">body</Info></Event>", xml);
        Assert.Equal("\"ea9e:0A\"", XElement.Parse(xml).Element("Info")!.Attribute("eTag")!.Value);
    }

    [Fact]
    public void Undefined_entities_and_forbidden_character_references_become_text()
    {
        var xml = OnlyXml(EvtxBuilder.OneRecordFile(w => w.Fragment().Element("Event", e => e
            .Element("A", c => c.U8(0x09).Name("nbsp").U8(0x08).U16(0x3).U8(0x08).U16(0xFFFE)), ("k", a => a.U8(0x08).U16(0x1F))).Eof()));
        Assert.Equal("<Event k=\"\\u001f\"><A>&amp;nbsp;\\u0003\\ufffe</A></Event>", xml);
    }

    [Fact]
    public void Characters_xml_forbids_are_written_as_visible_escapes_in_text_values_and_attributes()
    {
        const string hostile = "a\u0003b\u0000c\uFFFF\uD800d\uDC00e\U0001F600f\t\r\n";
        var file = EvtxBuilder.OneRecordFile(w => w.Fragment().Template("t", t => t.Element("Event", e => e
                .Element("Text", c => RawText(c, hostile))
                .Element("Value", c => c.Sub(0, 0x01)), ("attr", a => a.Sub(0, 0x01))),
            V.Raw(0x01, Units(hostile))).Eof());
        var xml = OnlyXml(file);
        const string escaped = "a\\u0003b\\u0000c\\uffff\\ud800d\\udc00e\U0001F600f";
        var doc = XElement.Parse(xml);
        Assert.StartsWith(escaped, doc.Element("Text")!.Value);
        Assert.StartsWith(escaped, doc.Element("Value")!.Value);
        Assert.StartsWith(escaped, doc.Attribute("attr")!.Value);
        Assert.DoesNotContain("&#x", xml);
    }

    [Fact]
    public void Cdata_holding_its_terminator_and_instructions_holding_theirs_stay_well_formed()
    {
        const string cdata = "x]]>y\u0001";
        var xml = OnlyXml(EvtxBuilder.OneRecordFile(w => w.Fragment().Element("Event", e =>
        {
            e.Element("C", c => c.U8(0x07).U16((ushort)cdata.Length).Bytes(Units(cdata)));
            e.U8(0x0A).Name("pi").U8(0x0B).U16(4).Utf16("a?>b");
            e.U8(0x0A).Name("xml").U8(0x0B).U16(1).Utf16("v");
        }).Eof()));
        var doc = XElement.Parse(xml);
        Assert.Equal("x]]>y\\u0001", doc.Element("C")!.Value);
        Assert.Contains("<?pi a? >b?>", xml);
        Assert.Contains("<?_xml v?>", xml);
    }

    [Fact]
    public void Names_that_are_not_xml_names_are_encoded_and_duplicate_attributes_renamed()
    {
        var xml = OnlyXml(EvtxBuilder.OneRecordFile(w => w.Fragment().Element("Event", e => e
            .Element("1 bad<name", c => c.Text("v"), ("p:q", a => a.Text("1")), ("dup", a => a.Text("2")), ("dup", a => a.Text("3")))).Eof()));
        var element = XElement.Parse(xml).Elements().Single();
        Assert.Equal("_x0031__x0020_bad_x003C_name", element.Name.LocalName);
        Assert.Equal(["p_x003A_q", "dup", "dup_2"], element.Attributes().Select(a => a.Name.LocalName));
    }

    private static byte[] ThreeRecords(out int lastOffset, out int lastSize)
    {
        var b = new EvtxBuilder();
        var c = b.Chunk();
        for (ulong id = 1; id <= 3; id++)
            c.Record(id, w => w.Fragment().Template("event", EventTemplate, Values(id, EventData(("A", id.ToString())))).Eof());
        var file = b.Build();
        var chunk = file.AsSpan(4096);
        lastOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(chunk[44..]);
        lastSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(chunk[(lastOffset + 4)..]);
        return file;
    }

    [Fact]
    public void A_torn_last_record_is_read_and_marked()
    {
        var file = ThreeRecords(out var last, out var size);
        // Being written: the tail of its values (inside the EventData Binary XML) and its size copy are still zero.
        file.AsSpan(4096 + last + size - 40, 40).Clear();
        var stats = new ReaderStats();
        var seen = new List<(ulong Id, bool Torn, string Xml)>();
        EvtxFile.ReadRecords(new MemoryStream(file), stats, r => seen.Add((r.Id, r.Torn, r.ToXml())));
        Assert.Equal([(1UL, false), (2UL, false), (3UL, true)], seen.Select(s => (s.Id, s.Torn)));
        Assert.All(seen, s => Assert.Null(EvtxRsSamplesTests.StrictXmlError(s.Xml)));
        Assert.Contains(stats.Errors, e => e.StartsWith("record 3 (chunk 0, offset ") && e.Contains("torn"));
        Assert.Equal(0, stats.Skipped);

        var (events, _) = Read(file);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Id));
        Assert.Equal("Microsoft-Windows-Security-Auditing", events[2].Event.Provider);
        Assert.Equal(4688, events[2].Event.EventId);
        Assert.Contains("<EventRecordID>3</EventRecordID>", seen[2].Xml);
    }

    [Fact]
    public void A_torn_record_out_of_sequence_is_not_taken()
    {
        var file = ThreeRecords(out var last, out var size);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + last + size - 4), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(4096 + last + 8), 77);
        var (events, stats) = Read(file);
        Assert.Equal([1L, 2L], events.Select(e => e.Id));
        Assert.Equal(1, stats.Skipped);
    }

    [Fact]
    public void Chunks_past_a_dirty_header_count_with_intact_headers_are_ordinary()
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("event", EventTemplate, Values(1, EventData(("A", "1")))).Eof());
        b.Chunk().Record(2, w => w.Fragment().Template("event", EventTemplate, Values(2, EventData(("A", "2")))).Eof());
        var file = b.Build(headerChunks: 1, nextRecordId: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(120), 1); // dirty
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(124), Crc32.Compute(file.AsSpan(0, 120)));
        var (events, stats) = Read(file);
        Assert.Equal(2, events.Count);
        Assert.Equal(0, stats.Recovered);
        // The same chunk with a damaged header is not vouched for by anything: recovered.
        file[4096 + 0x10000 + 100] ^= 1;
        (events, stats) = Read(file);
        Assert.Equal(2, events.Count);
        Assert.Equal(1, stats.Recovered);
    }

    [Fact]
    public void Byte_flips_never_produce_xml_a_strict_parser_refuses()
    {
        var good = File((1, EventData(("A", "1"), ("B", "two"))), (2, EventData((null, "x"))), (3, EventData(("C", "3"))));
        var used = 4096 + (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(4096 + 48));
        var rng = new Random(7);
        var clock = Stopwatch.StartNew();
        var rendered = 0;
        for (var i = 0; i < 1500; i++)
        {
            var file = (byte[])good.Clone();
            for (var k = rng.Next(1, 6); k > 0; k--)
                file[4096 + 512 + rng.Next(used - 4096 - 512)] = (byte)rng.Next(256);
            EvtxFile.ReadRecords(new MemoryStream(file), new ReaderStats(), r =>
            {
                string xml;
                try { xml = r.ToXml(); }
                catch (EvtxFormatException) { return; }
                rendered++;
                var error = EvtxRsSamplesTests.StrictXmlError(xml);
                Assert.True(error is null, $"iteration {i}, record {r.Id}: {error}\n{xml}");
            });
        }
        Assert.True(rendered > 1000);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }
}
