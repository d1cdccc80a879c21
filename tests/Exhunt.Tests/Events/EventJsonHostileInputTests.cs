using System.Text;
using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Readers.EventJson;

namespace Exhunt.Tests.Events;

/// <summary>Every byte is attacker-chosen: mutated and invalid lines never throw; each line is read or skipped with a reason.</summary>
public class EventJsonHostileInputTests
{
    private const string Line = """
        {"SourceName":"Microsoft-Windows-Sysmon","Level":"4","Keywords":"0x8000000000000000","Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"MXS01","TimeCreated":"2021-03-14T01:40:15.342Z","EventID":1,"Message":"Process Create:\r\nRuleName: -","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c \"cd /d C:\\inetpub\\wwwroot\\aspnet_client\"&whoami&echo [S]&cd&echo [E]","ParentImage":"C:\\Windows\\System32\\inetsrv\\w3wp.exe","winlog":{"event_data":{"X":[1,"a",{"b":2},null]}}}
        """;

    [Fact]
    public void Mutated_lines_are_read_or_skipped_never_thrown()
    {
        var rng = new Random(20210302);
        var original = Encoding.UTF8.GetBytes(Line);
        var sb = new MemoryStream();
        const int lines = 3000;
        for (var i = 0; i < lines; i++)
        {
            var b = (byte[])original.Clone();
            var edits = rng.Next(1, 6);
            for (var k = 0; k < edits; k++)
            {
                var at = rng.Next(b.Length);
                b[at] = rng.Next(4) switch
                {
                    0 => (byte)rng.Next(256),                          // any byte, invalid UTF-8 included
                    1 => (byte)"{}[]\",:\\"[rng.Next(8)],                // structure
                    2 => (byte)rng.Next(0x80, 0x100),                   // lone continuation / lead bytes
                    _ => (byte)'0',
                };
            }
            foreach (var x in b) if (x != (byte)'\n') sb.WriteByte(x);
            sb.WriteByte((byte)'\n');
        }
        var stats = new ReaderStats();
        var rules = RuleSet.BuiltIn().EventRules;
        var context = new ScanContext();
        JsonEventReader.Read(new MemoryStream(sb.ToArray()), stats, (e, n) =>
        {
            foreach (var r in rules) r.Inspect(e, new EventOrigin("fuzz.json", n), context);
        });
        Assert.Equal(lines, stats.Records + stats.Skipped);
        Assert.True(stats.Records > 0 && stats.Skipped > 0, $"records {stats.Records}, skipped {stats.Skipped}");
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_a_skip_with_a_reason()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"EventID\":1,\"Channel\":\"Security\",\"CommandLine\":\"ab\u00e9\"}\n");
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at + 1] = (byte)'x';   // lead byte without its continuation
        var stats = new ReaderStats();
        JsonEventReader.Read(new MemoryStream(bytes), stats, (_, _) => { });
        Assert.Equal(1, stats.Skipped);
        Assert.Contains(stats.Errors, m => m.StartsWith("line 1: invalid UTF-8"));
    }

    [Fact]
    public void Binary_garbage_and_empty_input_do_not_throw()
    {
        var rng = new Random(7);
        var bytes = new byte[200_000];
        rng.NextBytes(bytes);
        var stats = new ReaderStats();
        JsonEventReader.Read(new MemoryStream(bytes), stats, (_, _) => { });
        Assert.Equal(0, stats.Records);
        JsonEventReader.Read(new MemoryStream([]), new ReaderStats(), (_, _) => throw new InvalidOperationException("no events expected"));
        JsonEventReader.Read(new MemoryStream([0xFF]), new ReaderStats(), (_, _) => throw new InvalidOperationException("no events expected"));
    }
}
