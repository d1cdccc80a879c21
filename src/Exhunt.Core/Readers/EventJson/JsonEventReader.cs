using System.Text;

namespace Exhunt.Readers.EventJson;

/// <summary>
/// JSON-lines Windows event exports (Winlogbeat, OTRF/Mordor flattened, NXLog, one-line evtx_dump): one event per line,
/// streamed. Lines are bounded by <see cref="LineReader.MaxLineBytes"/>; malformed or non-event lines are counted as
/// skipped with the reason. UTF-16 files (with a BOM) are transcoded on the fly.
/// </summary>
public static class JsonEventReader
{
    public static void Read(Stream stream, ReaderStats stats, Action<WinEvent, long> onEvent)
    {
        var lines = new LineReader(Utf8(stream));
        var map = JsonEventFieldMap.Instance;
        var parser = new JsonEventParser(map);
        while (true)
        {
            var result = lines.Next(out var line);
            if (result == LineReader.Result.End) break;
            if (result == LineReader.Result.Overlong)
            {
                stats.Skip($"line {lines.LineNumber}: longer than {LineReader.MaxLineBytes} bytes; skipped");
                continue;
            }
            line = Trim(line);
            if (line.IsEmpty || line is [(byte)'['] or [(byte)']'] or [(byte)','] or [(byte)']', (byte)',']) continue;
            if (line[^1] == (byte)',') line = line[..^1];   // one object per line inside a JSON array
            if (line[0] == (byte)'[' && line.Length > 1) line = line[1..];
            var evt = new WinEvent();
            if (!parser.TryParse(line, evt, out var error))
            {
                stats.Skip($"line {lines.LineNumber}: {error}");
                continue;
            }
            MessageFields.Expand(evt, map);
            stats.Records++;
            if (evt.TimeCreated is { } t) stats.SeeTime(t);
            onEvent(evt, lines.LineNumber);
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var a = 0;
        var b = s.Length;
        while (a < b && s[a] is (byte)' ' or (byte)'\t') a++;
        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r') b--;
        return s[a..b];
    }

    /// <summary>UTF-8 as is; UTF-16 LE/BE with a BOM transcoded to UTF-8 (NXLog and PowerShell can write either).</summary>
    private static Stream Utf8(Stream stream)
    {
        var head = new byte[2];
        var n = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        if (n == 2 && head[0] == 0xFF && head[1] == 0xFE)
            return Encoding.CreateTranscodingStream(stream, Encoding.Unicode, Encoding.UTF8, leaveOpen: true);
        if (n == 2 && head[0] == 0xFE && head[1] == 0xFF)
            return Encoding.CreateTranscodingStream(stream, Encoding.BigEndianUnicode, Encoding.UTF8, leaveOpen: true);
        return new PrefixedStream(head, n, stream);
    }
}
