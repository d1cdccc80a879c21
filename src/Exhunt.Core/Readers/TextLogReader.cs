using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Exhunt.Evidence;

namespace Exhunt.Readers;

/// <summary>
/// Streaming reader for every line-based log: Exchange CSV logs (HttpProxy, ECP, Rps, OAB ...) and IIS W3C.
/// Columns are mapped by name from each <c>#Fields:</c> block (a new block may start mid-file); files without
/// one fall back to the kind's default column list only when the column count matches, and say so.
/// One <see cref="LogRecord"/> is reused for the whole file.
/// </summary>
public sealed class TextLogReader
{
    private readonly EvidenceFile _file;
    private readonly ReaderStats _stats;
    private readonly LogRecord _record;
    private readonly char _separator;
    private readonly bool _w3c;
    private string[]? _columns;
    /// <summary>Columns mapped from a default list for a header-less file (0 when a #Fields header was read).</summary>
    private int _assumedColumns;
    private bool _warnedNoHeader;
    /// <summary>Unescaped values of quoted CSV lines and W3C lines; unquoted CSV values are read in place from the raw line.</summary>
    private char[] _valueBuffer = new char[1024];

    public TextLogReader(EvidenceFile file, ReaderStats stats)
    {
        _file = file;
        _stats = stats;
        _record = new LogRecord(file);
        _w3c = file.Kind == ArtifactKind.Iis;
        _separator = _w3c ? ' ' : ',';
    }

    /// <summary>
    /// Reads the stream to its end, calling <paramref name="onRecord"/> for each data line. With a
    /// <paramref name="lineFilter"/> (adds where wanted literals start in a run of lines: at least one per line), a data line that
    /// holds none is still counted and timed, but not handed on (and, where its leading columns give the time, not
    /// split at all). The filter runs over whole buffers of lines, not line by line: one call per 64 KiB, not per line.
    /// <paramref name="blockFilter"/> does the same over the raw bytes (no widening), and a line it does not want is
    /// counted and timed from its bytes, not decoded; <paramref name="wantedLine"/> hears the raw bytes of each wanted
    /// line just before it is handed on (to route it to the rules that own the literals it holds).
    /// </summary>
    public void Read(Stream stream, Action<LogRecord> onRecord, Action<ReadOnlySpan<char>, List<int>>? lineFilter = null,
        Action<LogRecord, bool>? everyRecord = null, Action<ReadOnlySpan<byte>, List<int>>? blockFilter = null,
        Action<ReadOnlySpan<byte>>? wantedLine = null, Func<LogRecord, ReadOnlySpan<byte>, bool>? everyRaw = null,
        Func<Stream>? searchAhead = null)
    {
        _everyRaw = everyRaw; // the traffic counter from an unsplit line's bytes; false: it wants the decoded line
        _every = everyRecord; // sees every data line, split (true) or only timed (false): the traffic counter
        _filter = lineFilter;
        _byteFilter = lineFilter is null ? blockFilter : null;
        _wantedLine = wantedLine;
        _searchedTo = 0;
        _hits.Clear();
        _blockChars = lineFilter is null ? [] : ArrayPool<char>.Shared.Rent(64 * 1024);
        _aheadHits.Clear();
        _aheadIndex = 0;
        // A second stream over the same file, searched on another core (large files: the search is half the work).
        _ahead = _byteFilter is not null && searchAhead is not null ? new SearchAhead(searchAhead, _byteFilter) : null;
        try
        {
            ReadLines(stream, onRecord);
            ReportPlausibility();
        }
        finally
        {
            _ahead?.Dispose();
            _ahead = null;
            if (_blockChars.Length > 0) ArrayPool<char>.Shared.Return(_blockChars);
            _blockChars = [];
        }
    }

    private void ReadLines(Stream stream, Action<LogRecord> onRecord)
    {
        using var lines = new LineReader(stream);
        while (true)
        {
            var result = lines.Next(out var bytes);
            if (result == LineReader.Result.End) break;
            if (result == LineReader.Result.Overlong)
            {
                _stats.Skip($"line {lines.LineNumber}: longer than {LineReader.MaxLineBytes / (1 << 20)} MiB, skipped");
                continue;
            }
            var wanted = _filter is null && _byteFilter is null || Wanted(lines, bytes.Length);
            if (bytes.IsEmpty) continue;
            // NUL (binary line) and quote (CSV quoting) in one pass over the line: nearly every line has neither.
            var special = bytes.IndexOfAny((byte)0, (byte)'"');
            if (special >= 0 && (bytes[special] == 0 || bytes[special..].IndexOf((byte)0) >= 0))
            {
                Unparsed(ref _binary, lines.LineNumber);
                continue;
            }
            if (!wanted && _byteFilter is not null && bytes[0] != (byte)'#')
            {
                _record.Line = lines.LineNumber;
                if (TryCountUnsplitBytes(bytes, quoted: special >= 0))
                {
                    // As on the char path (unparsed lines included): the traffic counter reads its columns from the decoded line.
                    if (_every is not null && (_everyRaw is null || !_everyRaw(_record, bytes)))
                    {
                        Decode(bytes);
                        _every(_record, false);
                    }
                    continue;
                }
            }
            Decode(bytes);
            var raw = _record.Raw;
            if (raw[0] == '#')
            {
                if (raw.StartsWith("#Fields:", StringComparison.OrdinalIgnoreCase)) SetColumns(raw[8..].Trim().ToString().Split(_separator));
                continue;
            }
            _record.Line = lines.LineNumber;
            if (!wanted && TryCountUnsplit(raw)) { _every?.Invoke(_record, false); continue; }
            // A quote left open means the line was cut short (truncated copy, crash mid-write): the last value runs to
            // the end of the line. Reading it beats dropping a line that may hold the exploit; the stats say so.
            var closed = Split(raw);
            if (_columns is null && !TryAssumeDefault()) { _record.ColumnCount = 0; }
            else if (IsRepeatedHeaderRow()) continue;
            else if (_assumedColumns > 0 && _record.ColumnCount < _assumedColumns)
            {
                _stats.Skip($"line {lines.LineNumber}: {_record.ColumnCount} columns where the assumed header has {_assumedColumns}, skipped");
                continue;
            }
            if (_columns is { Length: > 1 } && _record.ColumnCount < 2)
            {
                Unparsed(ref _noSeparators, lines.LineNumber);
                continue;
            }
            _record.Time = ParseTime();
            if (_record.Time is { } t) SeeTime(t);
            else if (TimeExpected)
            {
                Unparsed(ref _noTime, lines.LineNumber);
                continue;
            }
            if (!closed) _stats.Error($"line {lines.LineNumber}: unterminated quoted field, last value read to the end of the line");
            _stats.Records++;
            _every?.Invoke(_record, true);
            if (wanted)
            {
                _wantedLine?.Invoke(bytes);
                onRecord(_record);
            }
        }
    }

    private Action<ReadOnlySpan<char>, List<int>>? _filter;
    private Action<ReadOnlySpan<byte>, List<int>>? _byteFilter;
    private Action<ReadOnlySpan<byte>>? _wantedLine;
    private Func<LogRecord, ReadOnlySpan<byte>, bool>? _everyRaw;
    private SearchAhead? _ahead;
    private readonly List<long> _aheadHits = new();
    private int _aheadIndex;
    private Action<LogRecord, bool>? _every;
    /// <summary>Stream offset up to which the buffered lines were searched; hits in them, relative to _hitBase, sorted.</summary>
    private long _searchedTo, _hitBase;
    private readonly List<int> _hits = new();
    private int _hitIndex;
    private char[] _blockChars = [];

    /// <summary>
    /// Whether the line just read holds a wanted literal. The search runs once over every complete line buffered from
    /// this one on, widened byte for byte (Latin-1): the literals are ASCII, and no other character compares equal to
    /// an ASCII one ordinal ignore-case, so a UTF-8 sequence cannot create or hide a match. A literal holds no line
    /// break, so a hit lies within one line.
    /// </summary>
    private bool Wanted(LineReader lines, int length)
    {
        var start = lines.LineOffset;
        var end = start + length;
        if (_ahead is not null)
        {
            while (end > _searchedTo && _ahead.Next(out var to, out var found))
            {
                if (_aheadIndex == _aheadHits.Count) { _aheadHits.Clear(); _aheadIndex = 0; }
                _aheadHits.AddRange(found);
                _searchedTo = to;
            }
            if (end <= _searchedTo)
            {
                while (_aheadIndex < _aheadHits.Count && _aheadHits[_aheadIndex] < start) _aheadIndex++;
                return _aheadIndex < _aheadHits.Count && _aheadHits[_aheadIndex] < end;
            }
            // The read-ahead stream ended before this line (the file grew since): search here from now on.
            _ahead.Dispose();
            _ahead = null;
            _hits.Clear();
        }
        if (end > _searchedTo)
        {
            var block = lines.FromLineStart;
            var lastBreak = block.LastIndexOf((byte)'\n');
            block = lastBreak >= length ? block[..lastBreak] : block[..length];
            if (_byteFilter is not null)
            {
                _hits.Clear();
                _byteFilter(block, _hits);
                _hitIndex = 0;
                _hitBase = start;
                _searchedTo = start + block.Length;
                goto searched;
            }
            if (_blockChars.Length < block.Length)
            {
                ArrayPool<char>.Shared.Return(_blockChars);
                _blockChars = ArrayPool<char>.Shared.Rent(block.Length);
            }
            var chars = _blockChars.AsSpan(0, Encoding.Latin1.GetChars(block, _blockChars));
            _hits.Clear();
            _filter!(chars, _hits);
            _hits.Sort();
            _hitIndex = 0;
            _hitBase = start;
            _searchedTo = start + block.Length;
        }
        searched:
        while (_hitIndex < _hits.Count && _hitBase + _hits[_hitIndex] < start) _hitIndex++;
        return _hitIndex < _hits.Count && _hitBase + _hits[_hitIndex] < end;
    }

    /// <summary>Leading columns the unsplit path reads at most; a time column further right means a full split.</summary>
    private const int MaxLeadingColumns = 8;

    /// <summary>
    /// A line no rule wants: counts it and takes its time from the leading columns without splitting the rest.
    /// False (the caller then splits the line as usual) whenever the full path could do anything else with it: no
    /// #Fields header in force (header-less files check the column count), CSV quoting (unterminated quotes are
    /// reported), a time column beyond the first few, or a row that starts like a repeated header row.
    /// </summary>
    private bool TryCountUnsplit(ReadOnlySpan<char> raw)
    {
        if (_columns is null || _assumedColumns > 0) return false;
        if (!_w3c && raw.IndexOf('"') >= 0) return false;
        var of = _record.ColumnOf;
        int timeA = _w3c ? of[(int)Field.Date] : of[(int)Field.DateTime], timeB = _w3c ? of[(int)Field.TimeOfDay] : -1;
        var last = Math.Max(1, Math.Max(timeA, timeB));
        if (last >= MaxLeadingColumns) return false;

        ReadOnlySpan<char> c0 = default, c1 = default, a = default, b = default;
        var rest = raw;
        var separated = false;
        for (var col = 0; col <= last; col++)
        {
            var end = rest.IndexOf(_separator);
            separated |= end >= 0;
            var value = end < 0 ? rest : rest[..end];
            if (col == 0) c0 = value;
            if (col == 1) c1 = value;
            if (col == timeA) a = value;
            if (col == timeB) b = value;
            if (end < 0) break;
            rest = rest[(end + 1)..];
        }
        if (_columns.Length > 1 && c0.Equals(_columns[0], StringComparison.OrdinalIgnoreCase)
            && c1.Equals(_columns[1], StringComparison.OrdinalIgnoreCase)) return false;

        if (!separated && _columns.Length > 1)
        {
            Unparsed(ref _noSeparators, _record.Line);
            return true;
        }
        return CountTimed(a, b);
    }

    /// <summary>Counts an unsplit line by its time columns (<paramref name="b"/>: W3C time of day), or as unparsed when
    /// its time is missing where one is expected.</summary>
    private bool CountTimed(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        DateTime? time;
        if (_w3c) time = Timestamps.TryParseW3c(W3cValue(a), W3cValue(b), out var w) ? w : null;
        else time = Timestamps.TryParseIso(a, out var t) ? t : null;
        _record.Time = time;
        if (time is { } seen) SeeTime(seen);
        else if (TimeExpected)
        {
            Unparsed(ref _noTime, _record.Line);
            return true;
        }
        _stats.Records++;
        return true;
    }

    /// <summary>
    /// <see cref="TryCountUnsplit"/> from the raw bytes, without decoding the line: the same checks in the same order,
    /// and false (the caller decodes and goes the char way) wherever bytes and chars could tell apart: non-ASCII leading
    /// values or time text. Separators are ASCII, and UTF-8 never hides an ASCII byte, so columns fall where they do
    /// in the decoded line. <paramref name="quoted"/>: the line holds a '"' (the caller has looked).
    /// </summary>
    private bool TryCountUnsplitBytes(ReadOnlySpan<byte> raw, bool quoted)
    {
        if (_columns is null || _assumedColumns > 0 || !_asciiHeader) return false;
        if (!_w3c && quoted) return false;
        var of = _record.ColumnOf;
        int timeA = _w3c ? of[(int)Field.Date] : of[(int)Field.DateTime], timeB = _w3c ? of[(int)Field.TimeOfDay] : -1;
        var last = Math.Max(1, Math.Max(timeA, timeB));
        if (last >= MaxLeadingColumns) return false;

        ReadOnlySpan<byte> c0 = default, c1 = default, a = default, b = default;
        var rest = raw;
        var separated = false;
        var sep = (byte)_separator;
        for (var col = 0; col <= last; col++)
        {
            var end = rest.IndexOf(sep);
            separated |= end >= 0;
            var value = end < 0 ? rest : rest[..end];
            if (col == 0) c0 = value;
            if (col == 1) c1 = value;
            if (col == timeA) a = value;
            if (col == timeB) b = value;
            if (end < 0) break;
            rest = rest[(end + 1)..];
        }
        if (!Ascii.IsValid(c0) || !Ascii.IsValid(c1) || !Ascii.IsValid(a) || !Ascii.IsValid(b) || a.Length > 64 || b.Length > 64) return false;
        if (_columns.Length > 1 && Ascii.EqualsIgnoreCase(c0, _columns[0]) && Ascii.EqualsIgnoreCase(c1, _columns[1])) return false;

        if (!separated && _columns.Length > 1)
        {
            Unparsed(ref _noSeparators, _record.Line);
            return true;
        }
        Span<char> ca = stackalloc char[a.Length], cb = stackalloc char[b.Length];
        Ascii.ToUtf16(a, ca, out _);
        Ascii.ToUtf16(b, cb, out _);
        return CountTimed(ca, cb);
    }

    /// <summary>Whether the first two column names are ASCII (the byte path compares leading values with them).</summary>
    private bool _asciiHeader;

    // Plausibility (facts: every Exchange CSV line starts with its DateTime, every W3C line has date and time): a line
    // without a valid timestamp, with binary bytes or without a single separator is not a record of this format. The
    // check reads only the time columns, which are parsed anyway, so the prefilter's unsplit path stays unsplit.
    private long _binary, _noTime, _noSeparators, _implausible;
    private long _firstUnparsed, _firstImplausible;

    /// <summary>Whether every line of this format starts with (or holds) its time: a header naming no time column does not promise one.</summary>
    private bool TimeExpected => _columns is null || _record.ColumnOf[(int)(_w3c ? Field.Date : Field.DateTime)] >= 0;

    private void Unparsed(ref long counter, long line)
    {
        counter++;
        _stats.Unparsed++;
        _stats.Skipped++;
        if (_firstUnparsed == 0) _firstUnparsed = line;
    }

    private void SeeTime(DateTime t)
    {
        if (Timestamps.IsPlausible(t)) _stats.SeeTime(t);
        else if (_implausible++ == 0) _firstImplausible = _record.Line;
    }

    /// <summary>
    /// One message per kind of problem (not one per line), and the verdict on the file: none of its lines parse → the
    /// file is unreadable as its format; fewer than half → mostly unreadable. Either way, lines that fail are no records.
    /// </summary>
    private void ReportPlausibility()
    {
        var kind = _file.Kind.ToWire();
        var total = _stats.Records + _stats.Unparsed;
        if (_stats.Unparsed > 0 && _stats.Records == 0)
        {
            _stats.Unreadable = $"not a readable {kind} log: none of its {total:N0} lines parse as one ({Reasons()})";
            _stats.ErrorFirst("unreadable: " + _stats.Unreadable);
        }
        else if (_stats.Unparsed > 0)
        {
            var share = _stats.Unparsed * 2 > total ? "mostly unreadable: " : "";
            _stats.Error($"{share}{_stats.Unparsed:N0} of {total:N0} lines do not parse as {kind} ({Reasons()}; first at line {_firstUnparsed}): not counted as records");
        }
        if (_implausible > 0)
            _stats.Error($"{_implausible:N0} records carry a time before 2012 or after today (first at line {_firstImplausible}): read, but left out of the coverage window");
    }

    private string Reasons()
    {
        var parts = new List<string>(3);
        if (_noTime > 0) parts.Add($"{_noTime:N0} without a valid timestamp");
        if (_binary > 0) parts.Add($"{_binary:N0} with binary bytes");
        if (_noSeparators > 0) parts.Add($"{_noSeparators:N0} without field separators");
        return string.Join(", ", parts);
    }

    private static ReadOnlySpan<char> W3cValue(ReadOnlySpan<char> value) => value is "-" ? default : value;

    private void Decode(ReadOnlySpan<byte> bytes)
    {
        if (_record.RawChars.Length < bytes.Length) _record.RawChars = new char[Math.Max(bytes.Length, _record.RawChars.Length * 2)];
        _record.RawLength = Encoding.UTF8.GetChars(bytes, _record.RawChars);
    }

    private void SetColumns(string[] names)
    {
        _columns = names.Select(n => n.Trim()).ToArray();
        _assumedColumns = 0;
        _asciiHeader = _columns.Take(2).All(c => Ascii.IsValid(c));
        Array.Fill(_record.ColumnOf, -1);
        for (var i = 0; i < _columns.Length; i++)
            if (FieldMaps.TryMap(_columns[i], out var f) && _record.ColumnOf[(int)f] < 0) _record.ColumnOf[(int)f] = i;
    }

    private bool TryAssumeDefault()
    {
        var defaults = FieldMaps.DefaultColumns(_file.Kind);
        var stable = FieldMaps.StableLeadingColumns(_file.Kind);
        if (defaults is not null && defaults.Length == _record.ColumnCount)
        {
            SetColumns(defaults);
            _assumedColumns = defaults.Length;
            if (_w3c) Split(_record.Raw); // again, now that the user-agent column is known ('+' → ' ')
            _stats.Error($"no #Fields header: read with the default {_file.Kind.ToWire()} column order ({defaults.Length} columns, matched from line {_record.Line})");
            return true;
        }
        if (defaults is not null && stable > 0 && _record.ColumnCount >= stable)
        {
            SetColumns(defaults[..stable]);
            _assumedColumns = stable;
            if (_w3c) Split(_record.Raw);
            _stats.Error($"no #Fields header and {_record.ColumnCount} columns (default list: {defaults.Length}): only the {stable} leading columns every build writes alike were mapped");
            return true;
        }
        if (!_warnedNoHeader)
        {
            _warnedNoHeader = true;
            _stats.Error(defaults is null
                ? $"no #Fields header before line {_record.Line}: columns unknown, lines read as plain text"
                : $"no #Fields header before line {_record.Line} and {_record.ColumnCount} columns do not match the default {_file.Kind.ToWire()} list ({defaults.Length}): lines read as plain text");
        }
        return false;
    }

    // Some exports repeat the column names as a bare CSV row; it is not data.
    private bool IsRepeatedHeaderRow() =>
        _record.ColumnCount == _columns!.Length && _record.ColumnCount > 1
        && _record.Values.AsSpan(_record.Starts[0], _record.Lengths[0]).Equals(_columns[0], StringComparison.OrdinalIgnoreCase)
        && _record.Values.AsSpan(_record.Starts[1], _record.Lengths[1]).Equals(_columns[1], StringComparison.OrdinalIgnoreCase);

    private DateTime? ParseTime()
    {
        if (_w3c)
            return Timestamps.TryParseW3c(_record[Field.Date], _record[Field.TimeOfDay], out var w) ? w : null;
        var dt = _record[Field.DateTime];
        if (dt.IsEmpty && _record.ColumnCount == 0)
        {
            // Plain-text lines (OAB generator, header-less logs): a leading ISO timestamp if there is one.
            var raw = _record.Raw;
            var end = raw.IndexOfAny(',', ' ');
            dt = end > 0 ? raw[..end] : raw;
            if (dt.Length > 40) dt = dt[..40];
        }
        return Timestamps.TryParseIso(dt, out var t) ? t : null;
    }

    /// <summary>Splits the raw line into unescaped column values (CSV quoting or W3C spaces).</summary>
    private bool Split(ReadOnlySpan<char> raw)
    {
        var r = _record;
        if (_w3c)
        {
            // W3C values are the raw text except '-' (empty) and '+' in the user agent: one bulk copy, fixed up in place.
            if (_valueBuffer.Length < raw.Length) _valueBuffer = new char[Math.Max(raw.Length, _valueBuffer.Length * 2)];
            raw.CopyTo(_valueBuffer);
            r.Values = _valueBuffer;
            FindSeparators(raw);
            for (var c = 0; c < r.ColumnCount; c++)
                if (r.Lengths[c] == 1 && raw[r.Starts[c]] == '-') r.Lengths[c] = 0;
            var ua = r.ColumnOf[(int)Field.UserAgent];
            if (ua >= 0 && ua < r.ColumnCount) _valueBuffer.AsSpan(r.Starts[ua], r.Lengths[ua]).Replace('+', ' ');
            return true;
        }
        if (raw.IndexOf('"') < 0)
        {
            // No quoting anywhere (nearly every Exchange line): values are slices of the raw line itself.
            r.Values = r.RawChars;
            FindSeparators(raw);
            return true;
        }
        return SplitQuoted(raw);
    }

    /// <summary>Column boundaries of a line without quoting, sixteen characters per step where the CPU has the vectors for it.</summary>
    private void FindSeparators(ReadOnlySpan<char> raw)
    {
        var r = _record;
        int col = 0, start = 0, i = 0, n = raw.Length;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<ushort>.Count)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(raw));
            var sep = Vector512.Create((ushort)_separator);
            for (; i <= n - Vector512<ushort>.Count; i += Vector512<ushort>.Count)
            {
                var mask = Vector512.Equals(Vector512.LoadUnsafe(ref first, (nuint)i), sep).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(mask);
                    AddColumn(ref col, start, at);
                    start = at + 1;
                    mask &= mask - 1;
                }
            }
        }
        if (Vector256.IsHardwareAccelerated && n - i >= Vector256<ushort>.Count)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(raw));
            var sep = Vector256.Create((ushort)_separator);
            for (; i <= n - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var mask = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)i), sep).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(mask);
                    AddColumn(ref col, start, at);
                    start = at + 1;
                    mask &= mask - 1;
                }
            }
        }
        for (; i < n; i++)
        {
            if (raw[i] != _separator) continue;
            AddColumn(ref col, start, i);
            start = i + 1;
        }
        AddColumn(ref col, start, n);
        r.ColumnCount = col;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddColumn(ref int col, int start, int end)
    {
        var r = _record;
        if (col == r.Starts.Length)
        {
            Array.Resize(ref r.Starts, col * 2);
            Array.Resize(ref r.Lengths, col * 2);
        }
        r.Starts[col] = start;
        r.Lengths[col] = end - start;
        col++;
    }

    /// <summary>RFC-4180 CSV with quoted fields: values are unescaped into the value buffer.</summary>
    private bool SplitQuoted(ReadOnlySpan<char> raw)
    {
        var r = _record;
        if (_valueBuffer.Length < raw.Length) _valueBuffer = new char[Math.Max(raw.Length, _valueBuffer.Length * 2)];
        r.Values = _valueBuffer;
        var values = _valueBuffer.AsSpan();
        int col = 0, pos = 0, i = 0;
        var ok = true;
        while (true)
        {
            var start = pos;
            if (i < raw.Length && raw[i] == '"')
            {
                i++;
                var closed = false;
                while (i < raw.Length)
                {
                    var c = raw[i++];
                    if (c == '"')
                    {
                        if (i < raw.Length && raw[i] == '"') { values[pos++] = '"'; i++; continue; }
                        closed = true;
                        break;
                    }
                    values[pos++] = c;
                }
                if (!closed) ok = false;
                // Anything between the closing quote and the separator is kept, as Excel does.
                while (i < raw.Length && raw[i] != _separator) values[pos++] = raw[i++];
            }
            else
            {
                var rest = raw[i..];
                var len = rest.IndexOf(_separator);
                if (len < 0) len = rest.Length;
                rest[..len].CopyTo(values[pos..]);
                pos += len;
                i += len;
            }
            AddColumn(ref col, start, pos);
            if (i >= raw.Length) break;
            i++; // separator; a trailing one yields a last empty column on the next pass
        }
        r.ColumnCount = col;
        return ok;
    }
}
