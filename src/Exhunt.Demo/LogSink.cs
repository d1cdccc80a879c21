using System.Buffers.Text;
using System.Text;

namespace Exhunt.Demo;

/// <summary>
/// A fast line writer for generated logs: appends ASCII/UTF-8 straight into a large byte buffer and flushes it to
/// the stream in big blocks (no string per line, no string.Format per field). Lines scripted ahead of time (the
/// intrusion, the admin's changes) wait in <see cref="Pending"/> and are written in time order between the
/// generated lines, so every file stays sorted by time.
/// </summary>
internal sealed class LogSink : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly Stream _stream;
    private readonly byte[] _buf = new byte[BufferSize];
    private int _pos;
    private readonly List<ScriptedLine> _pending;
    private int _nextPending;

    public LogSink(Stream stream, IEnumerable<ScriptedLine>? pending = null)
    {
        _stream = stream;
        _pending = pending?.OrderBy(p => p.Time).ThenBy(p => p.Order).ToList() ?? new List<ScriptedLine>();
    }

    public static LogSink Create(string path, IEnumerable<ScriptedLine>? pending = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new LogSink(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan), pending);
    }

    public long BytesWritten { get; private set; }
    public long Lines { get; private set; }

    /// <summary>Writes the scripted lines due at or before <paramref name="time"/>.</summary>
    public void Before(DateTime time)
    {
        while (_nextPending < _pending.Count && _pending[_nextPending].Time <= time) WritePending(_pending[_nextPending++]);
    }

    private void WritePending(ScriptedLine line)
    {
        Append(line.Text);
        EndLine();
    }

    public LogSink Append(string s) => Append(s.AsSpan());

    public LogSink Append(ReadOnlySpan<char> s)
    {
        if (s.Length * 3 > _buf.Length - _pos) Flush();
        if (s.Length * 3 > _buf.Length)
        {
            // Huge value: encode in pieces.
            var bytes = Encoding.UTF8.GetBytes(s.ToArray());
            _stream.Write(bytes);
            BytesWritten += bytes.Length;
            return this;
        }
        _pos += Encoding.UTF8.GetBytes(s, _buf.AsSpan(_pos));
        return this;
    }

    /// <summary>Appends ASCII text with one character swapped for another (IIS '+' for space, HttpProxy's space for comma).</summary>
    public LogSink AppendReplacing(string s, char from, char to)
    {
        if (s.Length * 3 > _buf.Length) return Append(s.Replace(from, to));
        if (s.Length * 3 > _buf.Length - _pos) Flush();
        var start = _pos;
        _pos += Encoding.UTF8.GetBytes(s, _buf.AsSpan(_pos));
        if (from < 0x80 && to < 0x80) _buf.AsSpan(start, _pos - start).Replace((byte)from, (byte)to);
        else if (s.Contains(from)) { _pos = start; Append(s.Replace(from, to)); }
        return this;
    }

    public LogSink Append(char c)
    {
        if (c < 0x80)
        {
            if (_pos == _buf.Length) Flush();
            _buf[_pos++] = (byte)c;
            return this;
        }
        Span<char> one = [c];
        return Append((ReadOnlySpan<char>)one);
    }

    public LogSink Append(long value)
    {
        if (_buf.Length - _pos < 24) Flush();
        Utf8Formatter.TryFormat(value, _buf.AsSpan(_pos), out var n);
        _pos += n;
        return this;
    }

    public LogSink Append(Guid value)
    {
        if (_buf.Length - _pos < 40) Flush();
        value.TryFormat(_buf.AsSpan(_pos), out var n, "D");
        _pos += n;
        return this;
    }

    /// <summary>A GUID in braces and upper case, as Outlook writes client ids: <c>{750498CA-0EBD-...}</c>.</summary>
    public LogSink AppendBraced(Guid value)
    {
        if (_buf.Length - _pos < 40) Flush();
        var span = _buf.AsSpan(_pos);
        value.TryFormat(span, out var n, "B");
        for (var i = 0; i < n; i++) if (span[i] >= (byte)'a' && span[i] <= (byte)'f') span[i] -= 32;
        _pos += n;
        return this;
    }

    /// <summary><c>2021-03-07T15:04:04.546Z</c></summary>
    public LogSink AppendIso(DateTime t)
    {
        if (_buf.Length - _pos < 32) Flush();
        var s = _buf.AsSpan(_pos);
        WriteDate(s, t, (byte)'-');
        s[10] = (byte)'T';
        WriteTime(s[11..], t);
        s[19] = (byte)'.';
        D3(s[20..], t.Millisecond);
        s[23] = (byte)'Z';
        _pos += 24;
        return this;
    }

    /// <summary>IIS W3C <c>2021-03-07 15:04:04</c></summary>
    public LogSink AppendW3c(DateTime t)
    {
        if (_buf.Length - _pos < 32) Flush();
        var s = _buf.AsSpan(_pos);
        WriteDate(s, t, (byte)'-');
        s[10] = (byte)' ';
        WriteTime(s[11..], t);
        _pos += 19;
        return this;
    }

    private static void WriteDate(Span<byte> s, DateTime t, byte sep)
    {
        var (y, mo, d) = (t.Year, t.Month, t.Day);
        D2(s, y / 100); D2(s[2..], y % 100);
        s[4] = sep; D2(s[5..], mo); s[7] = sep; D2(s[8..], d);
    }

    private static void WriteTime(Span<byte> s, DateTime t)
    {
        var (h, mi, sec) = (t.Hour, t.Minute, t.Second);
        D2(s, h); s[2] = (byte)':'; D2(s[3..], mi); s[5] = (byte)':'; D2(s[6..], sec);
    }

    private static void D2(Span<byte> s, int v) { s[0] = (byte)('0' + v / 10); s[1] = (byte)('0' + v % 10); }
    private static void D3(Span<byte> s, int v) { s[0] = (byte)('0' + v / 100); s[1] = (byte)('0' + v / 10 % 10); s[2] = (byte)('0' + v % 10); }

    /// <summary>A CSV value: quoted (quotes doubled) only when it holds a comma, a quote or a line break.</summary>
    public LogSink Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return Append(value);
        Append('"');
        Append(value.Replace("\"", "\"\""));
        return Append('"');
    }

    public LogSink Comma() => Append(',');

    public void EndLine()
    {
        if (_buf.Length - _pos < 2) Flush();
        _buf[_pos++] = (byte)'\r';
        _buf[_pos++] = (byte)'\n';
        Lines++;
    }

    private void Flush()
    {
        if (_pos == 0) return;
        _stream.Write(_buf, 0, _pos);
        BytesWritten += _pos;
        _pos = 0;
    }

    public void Dispose()
    {
        while (_nextPending < _pending.Count) WritePending(_pending[_nextPending++]);
        Flush();
        _stream.Dispose();
    }

    /// <summary>Renders one line with the same formatting code, for scripted lines.</summary>
    public static string Render(Action<LogSink> write)
    {
        var ms = new MemoryStream();
        using (var sink = new LogSink(ms)) write(sink);
        var text = Encoding.UTF8.GetString(ms.ToArray());
        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text;
    }
}

/// <summary>A line written at a fixed time into a given file, merged with the generated traffic.</summary>
internal sealed record ScriptedLine(DateTime Time, string Text, int Order);
