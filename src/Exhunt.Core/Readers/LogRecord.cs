using Exhunt.Evidence;

namespace Exhunt.Readers;

/// <summary>
/// One line of a text log, reused for every line of a file (no per-line allocation): the decoded raw line and
/// its columns, addressed by canonical <see cref="Field"/>. Copy out with <see cref="Str"/> only when reporting.
/// </summary>
public sealed class LogRecord
{
    internal char[] RawChars = new char[1024];
    internal int RawLength;
    internal char[] Values = new char[1024];
    internal int[] Starts = new int[128];
    internal int[] Lengths = new int[128];
    internal int ColumnCount;
    internal int[] ColumnOf = Enumerable.Repeat(-1, FieldCount.Value).ToArray();

    public LogRecord(EvidenceFile file) { File = file; }

    public EvidenceFile File { get; }
    public ArtifactKind Kind => File.Kind;
    public long Line { get; internal set; }
    public DateTime? Time { get; internal set; }

    /// <summary>The whole line as written (CSV quoting kept).</summary>
    public ReadOnlySpan<char> Raw => RawChars.AsSpan(0, RawLength);

    public bool Has(Field field) => ColumnOf[(int)field] is var c && c >= 0 && c < ColumnCount;

    /// <summary>The unescaped value; empty when the column is absent, empty or '-'.</summary>
    public ReadOnlySpan<char> this[Field field]
    {
        get
        {
            var c = ColumnOf[(int)field];
            return c < 0 || c >= ColumnCount ? default : Values.AsSpan(Starts[c], Lengths[c]);
        }
    }

    public string? Str(Field field) => this[field] is { IsEmpty: false } v ? v.ToString() : null;

    public bool Is(Field field, string value) => this[field].Equals(value, StringComparison.OrdinalIgnoreCase);

    public bool Contains(Field field, string value) => this[field].Contains(value, StringComparison.OrdinalIgnoreCase);

    /// <summary>For test fixtures and tools: builds a record from field values directly.</summary>
    public static LogRecord FromValues(EvidenceFile file, long line, IReadOnlyDictionary<Field, string> values, string? raw = null)
    {
        var r = new LogRecord(file) { Line = line };
        var pos = 0;
        var col = 0;
        var all = string.Concat(values.Values);
        r.Values = new char[Math.Max(all.Length, 1)];
        r.Starts = new int[Math.Max(values.Count, 1)];
        r.Lengths = new int[Math.Max(values.Count, 1)];
        foreach (var (field, value) in values)
        {
            value.CopyTo(r.Values.AsSpan(pos));
            r.Starts[col] = pos;
            r.Lengths[col] = value.Length;
            r.ColumnOf[(int)field] = col++;
            pos += value.Length;
        }
        r.ColumnCount = col;
        raw ??= string.Join(",", values.Values);
        r.RawChars = raw.ToCharArray();
        r.RawLength = raw.Length;
        return r;
    }
}
