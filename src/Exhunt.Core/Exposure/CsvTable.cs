using System.Text;

namespace Exhunt.Exposure;

/// <summary>
/// Reads the exposure tables: RFC-4180 CSV (quoted fields, doubled quotes), '#' comment lines before the header.
/// <c># table-version:</c> and <c># table-date:</c> comments are kept as the table's version and date.
/// </summary>
public sealed class CsvTable
{
    public required string Name { get; init; }
    public required string[] Header { get; init; }
    public required List<CsvRow> Rows { get; init; }
    public string? Version { get; init; }
    public string? Date { get; init; }

    public static CsvTable Parse(string name, string text)
    {
        string? version = null, date = null;
        string[]? header = null;
        var rows = new List<CsvRow>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                var c = line[1..].Trim();
                if (c.StartsWith("table-version:", StringComparison.Ordinal)) version = c["table-version:".Length..].Trim();
                else if (c.StartsWith("table-date:", StringComparison.Ordinal)) date = c["table-date:".Length..].Trim();
                continue;
            }
            var fields = SplitLine(line) ?? throw new FormatException($"{name} line {i + 1}: unterminated quote");
            if (header is null) { header = fields; continue; }
            if (fields.Length != header.Length)
                throw new FormatException($"{name} line {i + 1}: {fields.Length} fields where the header has {header.Length}");
            rows.Add(new CsvRow(header, fields, i + 1));
        }
        return new CsvTable { Name = name, Header = header ?? throw new FormatException($"{name}: no header row"), Rows = rows, Version = version, Date = date };
    }

    private static string[]? SplitLine(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch != '"') sb.Append(ch);
                else if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(ch);
        }
        if (quoted) return null;
        fields.Add(sb.ToString());
        return fields.ToArray();
    }
}

public sealed class CsvRow(string[] header, string[] fields, int line)
{
    public int Line { get; } = line;

    public string this[string column]
    {
        get
        {
            var i = Array.IndexOf(header, column);
            if (i < 0) throw new KeyNotFoundException($"no column '{column}'");
            return fields[i];
        }
    }
}
