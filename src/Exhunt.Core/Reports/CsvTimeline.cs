using System.Globalization;
using System.Text;
using Exhunt.Findings;
using Exhunt.Scanning;

namespace Exhunt.Reports;

/// <summary>
/// The findings as a flat CSV timeline that Timesketch imports as is (message, datetime, timestamp_desc) and
/// spreadsheets open safely: RFC 4180 quoting, and cells an attacker could make into formulas are defused.
/// </summary>
public static class CsvTimeline
{
    private static readonly string[] Columns =
    [
        "datetime", "timestamp_desc", "message", "finding", "rule", "severity", "outcome", "cves", "attack", "tactic",
        "incident", "artifact", "location", "client_ip", "user_agent", "user", "evidence", "data_type", "host",
    ];

    public static void Write(ScanResult result, TextWriter o, Severity minSeverity = Severity.Info)
    {
        o.WriteLine(string.Join(',', Columns));
        var incidentOf = result.Story.Incidents.SelectMany(i => i.Findings.Select(f => (f, i.Id))).ToDictionary(x => x.f, x => x.Id);
        foreach (var f in result.Findings.Where(f => f.Severity >= minSeverity))
        {
            var cells = new[]
            {
                f.Time?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture) ?? "",
                "exhunt detection",
                $"[{f.Severity.ToWire()}] {f.DisplayTitle}" + (f.ClientIp is null ? "" : $" from {f.ClientIp}"),
                f.Id, f.Rule.Id, f.Severity.ToWire(), f.Outcome.ToWire(),
                string.Join(' ', f.Rule.Cves), string.Join(' ', f.Rule.Attack), f.Rule.Tactic,
                incidentOf.GetValueOrDefault(f, ""),
                f.Artifact,
                f.Line is { } l ? $"line {l}" : f.Record is { } r ? $"record {r}" : "",
                f.ClientIp ?? "", f.UserAgent ?? "", f.User ?? "", Finding.Clip(f.Evidence) ?? "",
                "exhunt:finding",
                f.Host ?? "",
            };
            o.WriteLine(string.Join(',', cells.Select(Cell)));
        }
    }

    public static string Cell(string value)
    {
        var sb = new StringBuilder(value.Length + 4);
        // A leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell; a quote mark keeps it text.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') sb.Append('\'');
        foreach (var c in value)
        {
            if (c == '"') sb.Append("\"\"");
            else if (c < 0x20 && c != '\t') sb.Append(' ');
            else sb.Append(c);
        }
        return "\"" + sb + "\"";
    }
}
