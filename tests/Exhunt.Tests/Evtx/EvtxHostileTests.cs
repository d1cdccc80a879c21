using Exhunt.Readers.Evtx;
using System.Buffers.Binary;
using System.Diagnostics;
using Exhunt.Readers;
using static Exhunt.Tests.Evtx.EvtxSamples;

namespace Exhunt.Tests.Evtx;

/// <summary>Every byte is attacker-chosen: damaged or crafted files give clear per-file errors, never a crash or a hang.</summary>
public sealed class EvtxHostileTests
{
    private static byte[] TwoGoodRecordsAround(Action<BinXmlWriter> bad)
    {
        var b = new EvtxBuilder();
        var c = b.Chunk();
        c.Record(1, w => w.Fragment().Template("event", EventTemplate, Values(1, EventData(("A", "1")))).Eof());
        c.Record(2, bad);
        c.Record(3, w => w.Fragment().Template("event", EventTemplate, Values(3, EventData(("A", "3")))).Eof());
        return b.Build();
    }

    private static void AssertBadMiddleRecord(byte[] file, string reason)
    {
        var (events, stats) = Read(file);
        Assert.True(stats.Errors.Any(e => e.StartsWith("record 2 ") && e.Contains(reason)), string.Join("\n", stats.Errors));
        Assert.Equal([1L, 3], events.Select(e => e.Id));
        Assert.Equal(1, stats.Skipped);
        Assert.Contains(stats.Errors, e => e.StartsWith("record 2 ") && e.Contains(reason));
    }

    [Fact]
    public void Truncated_file_yields_the_records_that_fit_and_says_so()
    {
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))));
        var firstRecordSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4096 + 512 + 4));
        var cut = file[..(4096 + 512 + firstRecordSize + 40)];
        var (events, stats) = Read(cut);
        // Record 2 is cut 40 bytes in: its size copy is gone (read as zero), so it is read as far as it is there and
        // marked torn, like a record being written (issue 6).
        Assert.Equal([1L, 2L], events.Select(e => e.Id));
        Assert.Contains(stats.Errors, e => e.StartsWith("file truncated: chunk 0 has"));
        Assert.Contains(stats.Errors, e => e.StartsWith("record 2 (chunk 0, offset ") && e.Contains("is torn"));
        var torn = new List<bool>();
        EvtxFile.ReadRecords(new MemoryStream(cut), new ReaderStats(), r => torn.Add(r.Torn));
        Assert.Equal([false, true], torn);
    }

    [Fact]
    public void File_cut_inside_the_header_is_an_error_not_a_crash()
    {
        var (events, stats) = Read(File((1, EventData(("A", "1"))))[..1000]);
        Assert.Empty(events);
        Assert.Contains(stats.Errors, e => e.Contains("shorter than the 4096-byte file header"));
    }

    [Fact]
    public void Bad_file_header_checksum_is_reported_and_records_are_still_read()
    {
        var file = File((1, EventData(("A", "1"))));
        file[60] ^= 0xFF;
        var (events, stats) = Read(file);
        Assert.Single(events);
        Assert.Contains(stats.Errors, e => e.StartsWith("file header checksum mismatch"));
    }

    [Fact]
    public void Bad_chunk_checksums_are_reported_and_records_are_still_read()
    {
        var file = File((1, EventData(("A", "1"))));
        file[4096 + 100] ^= 0xFF;   // chunk header (unknown area, covered by the header CRC)
        file[4096 + 700] ^= 0x00;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + 52), 0xDEADBEEF); // records CRC
        var (events, stats) = Read(file);
        Assert.Single(events);
        Assert.Contains(stats.Errors, e => e == "chunk 0: header checksum mismatch; records read anyway");
        Assert.Contains(stats.Errors, e => e == "chunk 0: records checksum mismatch; records read anyway");
    }

    [Fact]
    public void Chunk_without_signature_is_skipped_with_a_reason_and_the_next_chunk_is_read()
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(1, w => w.Fragment().Template("event", EventTemplate, Values(1, EventData(("A", "1")))).Eof());
        b.Chunk().Record(2, w => w.Fragment().Template("event", EventTemplate, Values(2, EventData(("A", "2")))).Eof());
        var file = b.Build();
        file[4096] = (byte)'X';
        var (events, stats) = Read(file);
        Assert.Equal([2L], events.Select(e => e.Id));
        Assert.Contains("chunk 0: no 'ElfChnk' signature; chunk skipped", stats.Errors);
    }

    [Fact]
    public void Damaged_record_header_is_skipped_and_reading_resumes_at_the_next_record()
    {
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))), (3, EventData(("A", "3"))));
        var second = 4096 + 512 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4096 + 512 + 4));
        file[second] = (byte)'X';
        var (events, stats) = Read(file);
        Assert.Equal([1L, 3], events.Select(e => e.Id));
        Assert.Equal(1, stats.Skipped);
        Assert.Contains(stats.Errors, e => e.StartsWith($"chunk 0: no valid event record at offset 0x{second - 4096:x}") && e.Contains("1 record(s) skipped up to offset"));
    }

    [Fact]
    public void Damaged_last_record_header_counts_the_records_the_chunk_header_announced()
    {
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))));
        var second = 4096 + 512 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4096 + 512 + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(second + 4), 0xFFFFFF);
        var (events, stats) = Read(file);
        Assert.Equal([1L], events.Select(e => e.Id));
        Assert.Equal(1, stats.Skipped);
        Assert.Contains(stats.Errors, e => e.Contains("rest of chunk skipped (1 record(s) by the chunk header)"));
    }

    [Fact]
    public void Name_offset_outside_the_chunk_skips_the_record_with_a_reason()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x01).U16(0xFFFF).U32(1).U32(0xFFFFFF00).U8(0x03).Eof()), "outside the chunk");
    }

    [Fact]
    public void Name_offset_pointing_back_into_the_chunk_header_skips_the_record()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x01).U16(0xFFFF).U32(1).U32(0x10).U8(0x03).Eof()), "outside the chunk");
    }

    [Fact]
    public void Name_offset_pointing_forward_of_its_use_is_refused()
    {
        // Names are defined where first used: a reference can only point back.
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x01).U16(0xFFFF).U32(1).U32(0xFFF0).U8(0x03).Eof()), "points forward");
    }

    [Fact]
    public void Name_offset_pointing_backwards_at_non_name_bytes_skips_the_record()
    {
        // Offset 520: record 1's header, where the "character count" reads as 0.
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x01).U16(0xFFFF).U32(1).U32(520).U8(0x03).Eof()), "empty name at 0x208");
    }

    [Fact]
    public void Template_offset_outside_the_chunk_skips_the_record()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x0C).U8(1).U32(1).U32(0x7FFFFFFF).U32(0).Eof()), "template offset 0x7fffffff is outside the chunk");
    }

    [Fact]
    public void Template_offset_pointing_backwards_at_non_template_bytes_skips_the_record()
    {
        // Offset 520: inside record 1's header, not a template definition.
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x0C).U8(1).U32(1).U32(520).U32(0).Eof()), "");
    }

    [Fact]
    public void Template_that_instantiates_itself_is_caught()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w =>
        {
            w.Fragment().U8(0x0C).U8(1).U32(1);
            var def = w.Position + 4;
            w.U32((uint)def).U32(0).Bytes(new byte[16]);
            var sizeAt = w.Position;
            w.U32(0);
            var start = w.Position;
            w.Fragment().U8(0x0C).U8(1).U32(1).U32((uint)def).U32(0).Eof(); // body: an instance of itself
            BinaryPrimitives.WriteUInt32LittleEndian(w.GetChunk().AsSpan(sizeAt), (uint)(w.Position - start));
            w.U32(0).Eof();
        }), "refers to itself");
    }

    [Fact]
    public void Deep_nesting_is_capped()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w =>
        {
            w.Fragment();
            Action<BinXmlWriter> nest = x => x.Text("leaf");
            for (var i = 0; i < 200; i++)
            {
                var inner = nest;
                nest = x => x.Element("e", inner);
            }
            nest(w);
            w.Eof();
        }), "nested deeper than 64");
    }

    [Fact]
    public void Absurd_element_size_skips_the_record()
    {
        AssertBadMiddleRecord(TwoGoodRecordsAround(w => w.Fragment().U8(0x01).U16(0xFFFF).U32(0x7FFFFFF0).Name("e").U8(0x03).Eof()), "declares");
    }

    [Fact]
    public void Huge_value_count_is_refused()
    {
        var file = TwoGoodRecordsAround(w =>
        {
            w.Fragment().Template("e2", t => t.Element("Event", c => c.Sub(0, 1)));
            w.Position -= 4;          // overwrite the (empty) value count
            w.U32(0xFFFFFFFF).Eof();
        });
        AssertBadMiddleRecord(file, "declares 4294967295 values");
    }

    [Fact]
    public void Expansion_bomb_hits_the_node_budget_quickly()
    {
        var clock = Stopwatch.StartNew();
        var b = new EvtxBuilder();
        var c = b.Chunk();
        c.Record(1, w =>
        {
            w.Fragment();
            // A template of ~2,000 elements, then instantiated again and again from one record: millions of nodes.
            w.Template("big", t => t.Element("Event", e => { for (var i = 0; i < 2000; i++) e.Element("x", null); }));
            for (var i = 0; i < 2000; i++) w.Template("big", _ => { });
            w.Eof();
        });
        var (events, stats) = Read(b.Build());
        Assert.Empty(events);
        Assert.Contains(stats.Errors, e => e.Contains("more than 1000000 XML nodes"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Templates_instantiating_templates_hit_the_chunk_budget_quickly()
    {
        var clock = Stopwatch.StartNew();
        var b = new EvtxBuilder();
        var c = b.Chunk();
        // Template B: 500 elements. Template A: 500 instances of B. Each record: one instance of A = 250,000 nodes,
        // under the per-record budget; 100 records would walk 25 million.
        for (ulong id = 1; id <= 100; id++)
            c.Record(id, w => w.Fragment().Template("A", a => a.Element("Event", e =>
            {
                for (var i = 0; i < 500; i++) e.Template("B", t => t.Element("B", x => { for (var k = 0; k < 500; k++) x.Element("x", null); }));
            })).Eof());
        var (events, stats) = Read(b.Build());
        Assert.InRange(events.Count, 5, 8);
        Assert.Equal(100 - events.Count, stats.Skipped);
        Assert.Contains(stats.Errors, e => e.Contains("chunk expands to more than 2000000 XML nodes"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Zero_filled_file_is_not_an_evtx_file()
    {
        var (events, stats) = Read(new byte[200_000]);
        Assert.Empty(events);
        Assert.Equal(["not an EVTX file: no 'ElfFile' signature in the file header"], stats.Errors);
    }

    [Fact]
    public void Zero_filled_chunks_after_a_valid_header_are_empty_not_errors()
    {
        var file = File((1, EventData(("A", "1"))));
        var padded = new byte[file.Length + 2 * 0x10000];
        file.CopyTo(padded, 0);
        var (events, stats) = Read(padded);
        Assert.Single(events);
        Assert.Empty(stats.Errors);
    }

    [Fact]
    public void Random_garbage_with_the_right_magic_gives_errors_not_exceptions()
    {
        var rng = new Random(1234);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var file = new byte[4096 + 3 * 0x10000];
            rng.NextBytes(file);
            "ElfFile\0"u8.CopyTo(file);
            for (var k = 0; k < 3; k++)
            {
                "ElfChnk\0"u8.CopyTo(file.AsSpan(4096 + k * 0x10000));
                // Mostly plausible records so the binary XML parser sees garbage, not just the record check.
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + k * 0x10000 + 512), 0x2A2A);
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + k * 0x10000 + 516), 4000);
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4096 + k * 0x10000 + 512 + 3996), 4000);
                file[4096 + k * 0x10000 + 512 + 24] = 0x0F;
            }
            var (_, stats) = Read(file);
            Assert.NotEmpty(stats.Errors);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Byte_flips_in_a_valid_file_never_escape_as_exceptions()
    {
        var good = File((1, EventData(("A", "1"), ("B", "two"))), (2, EventData((null, "x"))), (3, EventData(("C", "3"))));
        var used = 4096 + (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(4096 + 48));
        var rng = new Random(42);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 2000; i++)
        {
            var file = (byte[])good.Clone();
            for (var k = rng.Next(1, 6); k > 0; k--)
                file[4096 + 512 + rng.Next(used - 4096 - 512)] = (byte)rng.Next(256);
            var (events, stats) = Read(file);
            var xmlStats = new ReaderStats();
            Cli.DumpCommand.Dump(new MemoryStream(file), Stream.Null, xml: true, xmlStats);
            Assert.Equal(stats.Records, events.Count);
            Assert.True(xmlStats.Records + xmlStats.Skipped >= events.Count - 3);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }
}
