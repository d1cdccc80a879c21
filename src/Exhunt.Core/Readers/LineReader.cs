namespace Exhunt.Readers;

/// <summary>
/// Splits a stream into lines without loading it: a sliding byte buffer, LF or CRLF, UTF-8 BOM dropped.
/// Lines over <see cref="MaxLineBytes"/> are reported as overlong and skipped up to the next newline,
/// so a hostile 10 MB line costs a bounded buffer, never a 10 MB allocation per line.
/// </summary>
internal sealed class LineReader : IDisposable
{
    public const int MaxLineBytes = 1 << 20;
    private const int StartBytes = 64 * 1024;
    private readonly Stream _stream;
    // Pooled: a scan opens thousands of small files, one 64 KiB buffer each would be most of what it allocates.
    private byte[] _buf = System.Buffers.ArrayPool<byte>.Shared.Rent(StartBytes);
    private int _start, _end, _lineStart;
    private bool _eof, _atStart = true;

    public LineReader(Stream stream) => _stream = stream;

    public long LineNumber { get; private set; }
    public long BytesRead { get; private set; }

    public enum Result { Line, Overlong, End }

    /// <summary>Stream offset of the last line returned (after a BOM, counted as read).</summary>
    public long LineOffset => BytesRead - (_end - _lineStart);

    /// <summary>The last line returned and every byte buffered after it (valid until the next call to Next).</summary>
    public ReadOnlySpan<byte> FromLineStart => _buf.AsSpan(_lineStart, _end - _lineStart);

    public Result Next(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var nl = _buf.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                _lineStart = _start;
                line = Trim(_buf.AsSpan(_start, nl));
                _start += nl + 1;
                LineNumber++;
                return Result.Line;
            }
            if (_eof)
            {
                line = default;
                if (_start >= _end) return Result.End;
                _lineStart = _start;
                line = Trim(_buf.AsSpan(_start, _end - _start));
                _start = _end;
                LineNumber++;
                return Result.Line;
            }
            if (_end - _start >= MaxLineBytes)
            {
                SkipRestOfLine();
                LineNumber++;
                line = default;
                return Result.Overlong;
            }
            Fill();
        }
    }

    public void Dispose()
    {
        if (_buf.Length == 0) return;
        System.Buffers.ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length)
        {
            var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(_buf.Length * 2, MaxLineBytes + StartBytes));
            Buffer.BlockCopy(_buf, 0, bigger, 0, _end);
            System.Buffers.ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }
        var n = _stream.Read(_buf, _end, _buf.Length - _end);
        if (n <= 0) { _eof = true; return; }
        BytesRead += n;
        _end += n;
        if (_atStart)
        {
            _atStart = false;
            if (_end >= 3 && _buf[0] == 0xEF && _buf[1] == 0xBB && _buf[2] == 0xBF) _start = 3;
        }
    }

    private void SkipRestOfLine()
    {
        _start = _end = 0;
        while (true)
        {
            var n = _stream.Read(_buf, 0, _buf.Length);
            if (n <= 0) { _eof = true; return; }
            BytesRead += n;
            var nl = _buf.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl >= 0) { _start = nl + 1; _end = n; return; }
        }
    }
}
