using System.Text.Json;
using System.Xml;
using Exhunt.Cli;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Support;
using Xunit.Abstractions;

namespace Exhunt.Tests.Evtx;

/// <summary>
/// The Rust `evtx` crate's own test files (../shared/corpus/evtx-rs-samples): every file read through our dump path,
/// record counts checked against what the crate's tests assert, every xml-jsonl record parsed by a strict XML parser.
/// </summary>
public sealed partial class EvtxRsSamplesTests(ITestOutputHelper output)
{
    public sealed record Line(ulong Id, string? Timestamp, string Xml, bool Recovered, bool Torn);
    public sealed record Dumped(List<Line> Records, ReaderStats Stats, List<string> Malformed);

    /// <summary>Dumps one file as xml-jsonl (our CLI's path) and parses every record's XML with default XmlReader settings.</summary>
    public static Dumped DumpAndParse(string path)
    {
        var stats = new ReaderStats();
        var ms = new MemoryStream();
        using (var input = File.OpenRead(path)) DumpCommand.Dump(input, ms, xml: true, stats);
        ms.Position = 0;
        var records = new List<Line>();
        var malformed = new List<string>();
        using var reader = new StreamReader(ms);
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            var id = doc.RootElement.GetProperty("record").GetUInt64();
            var e = doc.RootElement;
            var xml = e.GetProperty("xml").GetString()!;
            records.Add(new Line(id, e.GetProperty("timestamp").GetString(), xml,
                e.TryGetProperty("recovered", out var rec) && rec.GetBoolean(), e.TryGetProperty("torn", out var t) && t.GetBoolean()));
            if (StrictXmlError(xml) is { } error) malformed.Add($"record {id}: {error}");
        }
        return new Dumped(records, stats, malformed);
    }

    public static string? StrictXmlError(string xml)
    {
        try
        {
            using var x = XmlReader.Create(new StringReader(xml), new XmlReaderSettings());
            while (x.Read()) { }
            return null;
        }
        catch (XmlException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Records per file: what the crate's tests assert as parsed (SOURCES.md in the folder), and what we read. Where we
    /// read more, the extra records are real: each parses as strict XML, carries its header's EventRecordID and a
    /// provider, and ids are unique (checked below). Pinned so a regression in either direction shows.
    /// </summary>
    public static readonly (string File, int? Asserted, int Ours)[] Expected =
    [
        ("2-system-Microsoft-Windows-LiveId%4Operational.evtx", null, 399),
        ("2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx", 1910, 1951),
        ("2-vss_0-Microsoft-Windows-TerminalServices-RemoteConnectionManager%4Operational.evtx", 1774, 1795),
        ("2-vss_7-System.evtx", 1160, 1160),
        ("Application_no_crc32.evtx", 17, 17),
        ("E_ShadowCopy6_windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx", 459, 459),
        ("E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx", 340, 340),
        ("E_Windows_system32_winevt_logs_Microsoft-Windows-Shell-Core%4Operational.evtx", 1146, 1146),
        ("MSExchange_Management_wec.evtx", null, 1),
        ("Microsoft-Windows-HelloForBusiness%4Operational.evtx", 6, 6),
        ("Microsoft-Windows-LanguagePackSetup%4Operational.evtx", 17, 17),
        ("Security_short_selected.evtx", null, 7),
        ("Security_with_size_t.evtx", null, 636),
        ("issue_201.evtx", null, 1),
        ("new-user-security.evtx", null, 4),
        ("post-Security.evtx", 126, 126),
        ("sample-with-irregular-bool-values.evtx", 3028, 3028),
        ("sample-with-zero-data-size-event.evtx", null, 449),
        // The crate: 270 parsed + 2 failed; here also the torn records 46741, 47640 and 45933, and records after damage
        // in chunks 0 and 7 found by resynchronising on the next valid record header.
        ("sample_with_a_bad_chunk_magic.evtx", 272, 301),
        ("security.evtx", 1000, 2261),
        ("security_bad_string_cache.evtx", null, 2261),
        ("sysmon.evtx", null, 358),
        ("system.evtx", null, 1881),
    ];

    [SkippableFact]
    public void Every_sample_reads_at_least_the_asserted_records_and_every_record_is_strict_xml()
    {
        var root = Corpus.Path_("evtx-rs-samples");
        var files = Directory.EnumerateFiles(root, "*.evtx").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Expected.Select(e => e.File).Order(StringComparer.Ordinal), files);
        var failures = new List<string>();
        foreach (var (file, asserted, ours) in Expected)
        {
            var d = DumpAndParse(Path.Combine(root, file));
            var torn = d.Records.Count(r => r.Torn);
            output.WriteLine($"{file}: ours {d.Records.Count}, asserted {asserted?.ToString() ?? "-"}, torn {torn}, recovered {d.Stats.Recovered}, skipped {d.Stats.Skipped}, malformed XML {d.Malformed.Count}");
            if (d.Records.Count != ours) failures.Add($"{file}: {d.Records.Count} records, expected {ours}");
            if (asserted is { } a && d.Records.Count < a) failures.Add($"{file}: {d.Records.Count} records, fewer than the {a} the crate asserts");
            failures.AddRange(d.Malformed.Take(3).Select(m => $"{file}: {m}"));
            if (d.Records.Select(r => r.Id).Distinct().Count() != d.Records.Count) failures.Add($"{file}: duplicate record ids");
            // Exported selections keep the original EventRecordID in the XML while the record header is renumbered, and
            // slack (recovered) records can pair an old header with newer bytes: those differences are counted, not failed.
            var otherId = 0;
            foreach (var r in d.Records.Where(r => !r.Torn))
            {
                var inXml = RecordIdInXml().Match(r.Xml);
                if (!inXml.Success || !r.Xml.Contains("<Provider Name=", StringComparison.Ordinal) || !r.Xml.Contains("<EventID", StringComparison.Ordinal))
                    failures.Add($"{file}: record {r.Id} has no EventRecordID, provider name or EventID");
                else if (inXml.Groups[1].Value != r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) otherId++;
            }
            if (otherId > 0) output.WriteLine($"   {otherId} record(s) whose XML EventRecordID differs from the record header's");
        }
        foreach (var f in failures.Take(20)) output.WriteLine("FAIL " + f);
        Assert.Empty(failures);
    }

    [System.Text.RegularExpressions.GeneratedRegex("<EventRecordID>([0-9]+)</EventRecordID>")]
    private static partial System.Text.RegularExpressions.Regex RecordIdInXml();

    [SkippableTheory]
    [InlineData("Microsoft-Windows-HelloForBusiness%4Operational.evtx", new ulong[] { 6 }, 6)]
    [InlineData("Microsoft-Windows-LanguagePackSetup%4Operational.evtx", new ulong[] { 17 }, 17)]
    // 45933 is the last record of chunk 9, torn the same way (the crate fails it as well).
    [InlineData("sample_with_a_bad_chunk_magic.evtx", new ulong[] { 46741, 47640, 45933 }, 301)]
    public void A_torn_last_record_is_read_and_marked_torn(string file, ulong[] tornIds, int total)
    {
        // Issue 6, reproduction 12: the record's trailing size copy is zero (a log being written); it was dropped with
        // the rest of its chunk.
        var d = DumpAndParse(Corpus.Path_("evtx-rs-samples/" + file));
        Assert.Equal(total, d.Records.Count);
        Assert.Equal(tornIds, d.Records.Where(r => r.Torn).Select(r => r.Id));
        Assert.Empty(d.Malformed);
        foreach (var id in tornIds)
        {
            var r = d.Records.Single(x => x.Id == id);
            Assert.NotNull(r.Timestamp);
            Assert.StartsWith("<Event", r.Xml);
            Assert.Contains(d.Stats.Errors, e => e.Contains($"record {id} ") && e.Contains("torn"));
        }
        // The flat event takes the record header's id and time where the torn values are still zero.
        var events = new List<(WinEvent Event, long Id)>();
        using (var s = File.OpenRead(Corpus.Path_("evtx-rs-samples/" + file)))
            EvtxReader.Read(s, new ReaderStats(), (e, id) => events.Add((e, id)));
        foreach (var id in tornIds)
        {
            var e = events.Single(x => x.Id == (long)id).Event;
            Assert.Equal(id, e.RecordId);
            Assert.True(e.TimeCreated > new DateTime(2010, 1, 1), $"record {id}: {e.TimeCreated}");
        }
    }

    [SkippableFact]
    public void Entity_and_character_references_inside_attribute_values_stay_inside_them()
    {
        // Issue 6, reproduction 12: CAPI2 records 25, 32 and 142 closed the start tag at the first &quot; of eTag="…".
        var d = DumpAndParse(Corpus.Path_("evtx-rs-samples/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx"));
        foreach (var id in new ulong[] { 25, 32, 142 })
        {
            var xml = d.Records.Single(r => r.Id == id).Xml;
            Assert.Null(StrictXmlError(xml));
            var response = System.Xml.Linq.XDocument.Parse(xml).Descendants().Single(e => e.Name.LocalName == "URLCacheResponseInfo");
            Assert.Matches("^\"[0-9a-f]+:0\"$", response.Attribute("eTag")!.Value);
            Assert.Empty(response.Nodes());
        }
        Assert.Contains("eTag=\"&quot;ea9ee7b1bc43d21:0&quot;\"", d.Records.Single(r => r.Id == 25).Xml);
    }

    [SkippableFact]
    public void Ordinary_records_of_a_dirty_file_with_a_stale_header_are_not_called_recovered()
    {
        // Issue 6, reproduction 12: sysmon.evtx (header: dirty, 1 chunk, next record 1742; nine intact chunks hold
        // records 1..358 inside their declared ranges) said 358 of 358 recovered.
        var d = DumpAndParse(Corpus.Path_("evtx-rs-samples/sysmon.evtx"));
        Assert.Equal(358, d.Records.Count);
        Assert.Equal(0, d.Stats.Recovered);
        Assert.DoesNotContain(d.Records, r => r.Recovered);
    }

    [SkippableFact]
    public void Control_characters_are_written_so_strict_parsers_accept_them()
    {
        // Issue 6, reproduction 12: security.evtx record 55 held &#x3; (forbidden in XML 1.0 even as a reference).
        var d = DumpAndParse(Corpus.Path_("evtx-rs-samples/security.evtx"));
        var xml = d.Records.Single(r => r.Id == 55).Xml;
        Assert.Null(StrictXmlError(xml));
        Assert.Contains("\\u0003", xml);
        Assert.DoesNotContain("&#x3;", xml);
    }

    [SkippableFact]
    public void Every_record_of_the_evtx_corpus_is_strict_xml()
    {
        var root = Corpus.Path_("evtx");
        var files = 0;
        var records = 0;
        var malformed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var d = DumpAndParse(file);
            files++;
            records += d.Records.Count;
            malformed.AddRange(d.Malformed.Take(2).Select(m => $"{Path.GetRelativePath(root, file)}: {m}"));
        }
        output.WriteLine($"files {files}, records {records}, malformed {malformed.Count}");
        Assert.Equal(592, files);
        Assert.Equal(25056, records);
        Assert.Empty(malformed);
    }
}
