using Exhunt.Story;
using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;

namespace Exhunt.Reports;

/// <summary>
/// Writes the <c>exhunt.report/1</c> JSON document. Fields are only ever added to this contract, never renamed
/// or removed. Attacker text is escaped by the JSON writer (control characters, quotes, non-ASCII as \u escapes).
/// </summary>
public static class JsonReport
{
    public const string Schema = "exhunt.report/1";

    public static void Write(ScanResult result, Stream output, Severity minSeverity = Severity.Info)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.Default });
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteStartObject("tool");
        w.WriteString("name", "exhunt");
        w.WriteString("version", ToolVersion.Value);
        w.WriteEndObject();
        w.WriteString("root", result.Root);
        w.WriteString("verdict", result.Story.Verdict.ToWire());
        w.WriteString("summary", result.Story.Sentence);
        WriteStrings(w, "exchange_install_roots", result.InstallRoots);
        ExposureJson.WriteScan(w, result.Exposure);

        // One entry per host, Exchange hosts first; the overall verdict is the worst of them.
        w.WriteStartArray("hosts");
        var story = StoryModel.Of(result, minSeverity);
        var stages = story.HostStages.GroupBy(s => s.Host ?? HostName.Unknown, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var coverage = result.Hosts.ToDictionary(h => h.Host, StringComparer.Ordinal);
        foreach (var h in result.Story.Hosts)
        {
            w.WriteStartObject();
            w.WriteString("host", h.Host);
            w.WriteString("verdict", h.Verdict.ToWire());
            WriteTime(w, "first", h.First);
            WriteTime(w, "last", h.Last);
            w.WriteBoolean("exchange", h.Exchange);
            w.WriteString("summary", h.Sentence);
            if (coverage.TryGetValue(h.Host, out var c))
            {
                WriteStrings(w, "read", c.Kinds);
                w.WriteNumber("files", c.Files);
            }
            if (stages.TryGetValue(h.Host, out var stage))
            {
                w.WritePropertyName("stage");
                StoryJson.WriteStage(w, stage);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("coverage");
        foreach (var c in result.Coverage)
        {
            w.WriteStartObject();
            w.WriteString("kind", c.Kind.ToWire());
            WriteTime(w, "first", c.First);
            WriteTime(w, "last", c.Last);
            w.WriteNumber("files", c.Files);
            w.WriteNumber("records", c.Records);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("artifacts");
        foreach (var a in result.Artifacts.OrderBy(a => a.File.RelativePath, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("path", a.File.RelativePath);
            w.WriteString("kind", a.File.Kind.ToWire());
            w.WriteString("host", a.Host);
            w.WriteNumber("bytes", a.File.Length);
            w.WriteNumber("records", a.Stats.Records);
            w.WriteNumber("skipped", a.Stats.Skipped);
            if (a.Stats.Recovered > 0) w.WriteNumber("recovered", a.Stats.Recovered);
            w.WriteStartArray("errors");
            foreach (var e in a.Stats.Errors) w.WriteStringValue(e);
            w.WriteEndArray();
            if (a.Sha256 is null) w.WriteNull("sha256"); else w.WriteString("sha256", a.Sha256);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        var shown = result.Findings.Where(f => f.Severity >= minSeverity).ToList();
        w.WriteStartArray("findings");
        foreach (var f in shown) WriteFinding(w, f);
        w.WriteEndArray();

        w.WriteStartArray("incidents");
        foreach (var i in result.Story.Incidents)
        {
            var ids = i.Findings.Where(f => f.Severity >= minSeverity).Select(f => f.Id).ToList();
            if (ids.Count == 0) continue;
            w.WriteStartObject();
            w.WriteString("id", i.Id);
            w.WriteString("verdict", i.Verdict.ToWire());
            w.WriteString("host", i.Host);
            w.WriteString("stage", i.Stage);
            WriteNullable(w, "reached_stage", i.ReachedStage);
            WriteTime(w, "first", i.First);
            WriteTime(w, "last", i.Last);
            WriteStrings(w, "client_ips", i.ClientIps);
            WriteStrings(w, "cves", i.Cves);
            WriteStrings(w, "findings", ids);
            w.WriteStartArray("narrative");
            foreach (var step in Narrative.Tell(i, minSeverity))
            {
                w.WriteStartObject();
                WriteTime(w, "time", step.Time);
                w.WriteString("stage", step.Stage);
                w.WriteString("text", step.Text);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        StoryJson.Write(w, story);

        w.WriteStartArray("errors");
        foreach (var e in result.ListingErrors) w.WriteStringValue(e);
        w.WriteEndArray();

        w.WriteStartArray("containers");
        foreach (var c in result.Containers)
        {
            w.WriteStartObject();
            w.WriteString("path", c.Path);
            w.WriteString("kind", c.Kind);
            w.WriteNumber("files", c.Files);
            WriteNullable(w, "host", HostName.Normalize(c.Host));
            w.WriteBoolean("read", c.Problem is null);
            WriteNullable(w, "problem", c.Problem);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("suppressed_findings");
        foreach (var s in result.Suppressed)
        {
            w.WriteStartObject();
            w.WriteString("rule", s.Rule);
            w.WriteString("outcome", s.Outcome.ToWire());
            w.WriteNumber("count", s.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        SigmaReportSection.WriteJson(w, result.Sigma);
        w.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding f)
    {
        w.WriteStartObject();
        w.WriteString("id", f.Id);
        w.WriteString("rule", f.Rule.Id);
        w.WriteString("title", f.DisplayTitle);
        w.WriteString("severity", f.Severity.ToWire());
        WriteStrings(w, "cves", f.Rule.Cves);
        WriteStrings(w, "attack", f.Rule.Attack);
        w.WriteString("tactic", f.Rule.Tactic);
        w.WriteString("outcome", f.Outcome.ToWire());
        WriteTime(w, "time", f.Time);
        if (f.TimeSource is not null) w.WriteString("time_source", f.TimeSource);
        w.WriteString("host", f.Host ?? HostName.Unknown);
        w.WriteString("artifact", f.Artifact);
        if (f.Line is { } line) { w.WriteStartObject("location"); w.WriteNumber("line", line); w.WriteEndObject(); }
        else if (f.Record is { } rec) { w.WriteStartObject("location"); w.WriteNumber("record", rec); w.WriteEndObject(); }
        else w.WriteNull("location");
        WriteNullable(w, "client_ip", f.ClientIp);
        WriteNullable(w, "user_agent", f.UserAgent);
        WriteNullable(w, "user", f.User);
        WriteNullable(w, "evidence", Finding.Clip(f.Evidence));
        if (f.Details is { Count: > 0 })
        {
            w.WriteStartObject("details");
            foreach (var (k, v) in f.Details) w.WriteString(k, v);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    internal static void WriteTime(Utf8JsonWriter w, string name, DateTime? t)
    {
        if (t is { } v) w.WriteString(name, Timestamps.ToIso(v)); else w.WriteNull(name);
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    internal static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}

public static class ToolVersion
{
    public static readonly string Value =
        (Attribute.GetCustomAttribute(typeof(ToolVersion).Assembly, typeof(System.Reflection.AssemblyInformationalVersionAttribute)) as System.Reflection.AssemblyInformationalVersionAttribute)?.InformationalVersion ?? "0.0.0";
}
