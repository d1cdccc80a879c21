using System.Text.Json;
using Exhunt.Cli;
using Exhunt.Tests.Support;
using static Exhunt.Tests.Evtx.EvtxSamples;

namespace Exhunt.Tests.Evtx;

public sealed class DumpCommandTests
{
    [Fact]
    public void Xml_jsonl_has_the_oracle_shape()
    {
        using var dir = new Fixture.TempDir();
        var input = dir.Write("Security.evtx", File((41, EventData(("CommandLine", "cmd /c \"whoami\"")))));
        var output = Path.Combine(dir.Path, "out.jsonl");
        var errors = new StringWriter();
        Assert.Equal(0, DumpCommand.Run([input], "xml-jsonl", output, null, errors));
        var line = Assert.Single(System.IO.File.ReadAllLines(output));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(["record", "timestamp", "xml"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(41UL, doc.RootElement.GetProperty("record").GetUInt64());
        Assert.Equal("2021-03-02T01:02:03.000000Z", doc.RootElement.GetProperty("timestamp").GetString());
        var xml = doc.RootElement.GetProperty("xml").GetString()!;
        Assert.StartsWith("<Event xmlns=\"" + Ns + "\"><System>", xml);
        Assert.Contains("<Data Name=\"CommandLine\">cmd /c \"whoami\"</Data>", xml);
        Assert.Equal("", errors.ToString());
    }

    [Fact]
    public void Jsonl_is_flat_event_fields_and_data()
    {
        using var dir = new Fixture.TempDir();
        var input = dir.Write("Security.evtx", File((5, EventData(("SubjectUserName", "EX01$"), (null, "x"), (null, "y")))));
        var output = Path.Combine(dir.Path, "out.jsonl");
        Assert.Equal(0, DumpCommand.Run([input], "jsonl", output, null, new StringWriter()));
        using var doc = JsonDocument.Parse(Assert.Single(System.IO.File.ReadAllLines(output)));
        var e = doc.RootElement;
        Assert.Equal(5, e.GetProperty("EventRecordID").GetInt64());
        Assert.Equal(4688, e.GetProperty("EventID").GetInt32());
        Assert.Equal("Security", e.GetProperty("Channel").GetString());
        Assert.Equal("EX01.contoso.local", e.GetProperty("Computer").GetString());
        Assert.Equal("2021-03-03T04:05:06.1234567Z", e.GetProperty("TimeCreated").GetString());
        Assert.Equal("0x8020000000000000", e.GetProperty("Keywords").GetString());
        Assert.Equal("EX01$", e.GetProperty("Data").GetProperty("SubjectUserName").GetString());
        Assert.Equal("y", e.GetProperty("Data").GetProperty("Data2").GetString());
    }

    [Fact]
    public void Damaged_input_is_reported_on_stderr_and_in_the_exit_code()
    {
        using var dir = new Fixture.TempDir();
        var input = dir.Write("bad.evtx", new byte[5000]);
        var errors = new StringWriter();
        Assert.Equal(1, DumpCommand.Run([input], "jsonl", Path.Combine(dir.Path, "o.jsonl"), null, errors));
        Assert.Contains("not an EVTX file", errors.ToString());
    }

    [Fact]
    public void A_torn_record_is_dumped_and_flagged_in_both_formats()
    {
        using var dir = new Fixture.TempDir();
        var file = File((1, EventData(("A", "1"))), (2, EventData(("A", "2"))));
        var chunk = file.AsSpan(4096);
        var last = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(chunk[44..]);
        var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(chunk[(last + 4)..]);
        chunk.Slice(last + size - 4, 4).Clear(); // size copy not yet written
        var input = dir.Write("Security.evtx", file);
        foreach (var (format, flag) in new[] { ("xml-jsonl", "torn"), ("jsonl", "Torn") })
        {
            var output = Path.Combine(dir.Path, format + ".jsonl");
            var errors = new StringWriter();
            Assert.Equal(1, DumpCommand.Run([input], format, output, null, errors));
            var lines = System.IO.File.ReadAllLines(output);
            Assert.Equal(2, lines.Length);
            using var first = JsonDocument.Parse(lines[0]);
            using var second = JsonDocument.Parse(lines[1]);
            Assert.False(first.RootElement.TryGetProperty(flag, out _));
            Assert.True(second.RootElement.GetProperty(flag).GetBoolean());
            Assert.Contains("record 2 (chunk 0, offset", errors.ToString());
            Assert.Contains("torn", errors.ToString());
        }
    }

    [Fact]
    public void Unknown_format_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => DumpCommand.Run(["x.evtx"], "csv", null, null));
    }
}
