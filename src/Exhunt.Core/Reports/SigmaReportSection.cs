using System.Text.Json;
using Exhunt.Detection.Sigma;
using Exhunt.Scanning;

namespace Exhunt.Reports;

/// <summary>The Sigma account of a scan (<see cref="ScanResult.Sigma"/>) in the JSON and console reports: no loaded rule
/// disappears silently, and the caps the correlation rules hit are said.</summary>
public static class SigmaReportSection
{
    public const int RejectsShown = 10;

    /// <summary>The account of a load as JSON members (loaded, rejected, unsupported_logsource, filters, not_rules): the
    /// same in a scan's report and in <c>exhunt rules lint --json</c>.</summary>
    public static void WriteLoadAccount(Utf8JsonWriter w, SigmaLoadReport load)
    {
        w.WriteNumber("loaded", load.Loaded);
        w.WriteStartArray("rejected");
        foreach (var r in load.Rejected)
        {
            w.WriteStartObject();
            w.WriteString("path", r.Path);
            w.WriteString("id", r.Id);
            w.WriteString("reason", r.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("unsupported_logsource", load.UnsupportedLogSource);
        w.WriteNumber("filters", load.Filters);
        w.WriteNumber("not_rules", load.NotRules);
    }

    /// <summary>The "sigma" member of the JSON report (written only when the scan ran Sigma rules).</summary>
    public static void WriteJson(Utf8JsonWriter w, SigmaScanAccount? sigma)
    {
        if (sigma is null) return;
        var load = sigma.Load;
        w.WriteStartObject("sigma");
        WriteLoadAccount(w, load);
        w.WriteStartObject("correlations");
        w.WriteNumber("loaded", load.Correlations);
        var s = sigma.Correlations ?? new SigmaCorrelationStats();
        w.WriteNumber("hits", s.Hits);
        w.WriteNumber("base_matches", s.BaseMatches);
        w.WriteNumber("untimed", s.Untimed);
        w.WriteNumber("missing_field", s.MissingField);
        w.WriteNumber("evicted", s.Evicted);
        w.WriteNumber("dropped", s.Dropped);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The SIGMA block of the console report: counts, what the correlations could not use, the first rejects.</summary>
    public static void WriteConsole(TextWriter o, SigmaScanAccount? sigma)
    {
        if (sigma is null) return;
        var load = sigma.Load;
        o.WriteLine();
        o.WriteLine("SIGMA");
        o.WriteLine($"  {load.Loaded} rules loaded ({load.Correlations} correlations), {load.Rejected.Count} rejected, " +
            $"{load.UnsupportedLogSource} with a log source exhunt does not read, {load.Filters} filters applied");
        if (sigma.Correlations is { } s)
        {
            var lost = new List<string>();
            if (s.Untimed > 0) lost.Add($"{s.Untimed:N0} without a time");
            if (s.MissingField > 0) lost.Add($"{s.MissingField:N0} without a group-by field");
            if (s.Evicted > 0) lost.Add($"{s.Evicted:N0} evicted (more than {SigmaCorrelationEngine.MaxMatchesPerGroup:N0} in one group)");
            if (s.Dropped > 0) lost.Add($"{s.Dropped:N0} dropped (more than {SigmaCorrelationEngine.MaxMatchesPerCorrelation:N0} per correlation or {SigmaCorrelationEngine.MaxMatchesPerScan:N0} in all)");
            o.WriteLine($"  correlations: {s.Hits:N0} hits from {s.BaseMatches:N0} matches of the rules they join" +
                (lost.Count > 0 ? $"; not joined: {string.Join(", ", lost)}" : ""));
        }
        foreach (var r in load.Rejected.Take(RejectsShown))
            o.WriteLine($"  rejected {TextEscape.ForTerminal(r.Path, 120)}{(r.Id.Length > 0 ? $" [{TextEscape.ForTerminal(r.Id, 40)}]" : "")}: {TextEscape.ForTerminal(r.Reason, 200)}");
        if (load.Rejected.Count > RejectsShown)
            o.WriteLine($"  ... {load.Rejected.Count - RejectsShown} more rejected (see --json, or exhunt rules lint PATH)");
    }
}
