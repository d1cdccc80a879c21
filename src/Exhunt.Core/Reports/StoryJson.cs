using System.Text.Json;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// The story parts of <c>exhunt.report/1</c> (added fields, nothing renamed): <c>stage</c>, <c>host_stages</c>,
/// <c>anomalies</c> (surges) and <c>next_steps</c>; see schemas/exhunt.report-1.schema.json.
/// </summary>
public static class StoryJson
{
    public static void Write(Utf8JsonWriter w, StoryModel model)
    {
        w.WritePropertyName("stage");
        WriteStage(w, model.Stage);
        w.WriteStartArray("host_stages");
        foreach (var s in model.HostStages)
        {
            w.WriteStartObject();
            w.WriteString("host", s.Host ?? Findings.HostName.Unknown);
            w.WritePropertyName("stage");
            WriteStage(w, s);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("anomalies");
        foreach (var s in model.Surges) WriteSurge(w, s);
        w.WriteEndArray();
        w.WriteStartArray("next_steps");
        foreach (var n in model.NextSteps)
        {
            w.WriteStartObject();
            w.WriteString("host", n.Host);
            w.WriteString("key", n.Key);
            w.WriteString("text", n.Text);
            w.WriteStartObject("source");
            w.WriteString("title", n.Source.Title);
            w.WriteString("url", n.Source.Url);
            w.WriteEndObject();
            JsonReport.WriteStrings(w, "items", n.Items);
            JsonReport.WriteStrings(w, "findings", n.Findings);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteStage(Utf8JsonWriter w, StageReport s)
    {
        w.WriteStartObject();
        w.WriteString("tactic", s.Tactic);
        w.WriteString("label", s.Label);
        w.WriteString("sentence", s.Sentence);
        JsonReport.WriteStrings(w, "not_seen", s.NotSeen.Select(n => n.Tactic));
        w.WriteStartArray("not_seen_detail");
        foreach (var n in s.NotSeen)
        {
            w.WriteStartObject();
            w.WriteString("tactic", n.Tactic);
            w.WriteString("what", n.What);
            w.WriteBoolean("checked", n.Checked);
            JsonReport.WriteStrings(w, "kinds", n.Kinds);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("backed_by");
        JsonReport.WriteStrings(w, "kinds", s.BackedBy.Kinds);
        JsonReport.WriteTime(w, "first", s.BackedBy.First);
        JsonReport.WriteTime(w, "last", s.BackedBy.Last);
        w.WriteNumber("records", s.BackedBy.Records);
        JsonReport.WriteStrings(w, "findings", s.BackedBy.Findings);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteSurge(Utf8JsonWriter w, SurgeWindow s)
    {
        w.WriteStartObject();
        w.WriteString("kind", SurgeWindow.Kind);
        w.WriteString("host", s.Host);
        w.WriteString("source", s.Source.ToWire());
        w.WriteString("start", Timestamps.ToIso(s.Start));
        w.WriteString("end", Timestamps.ToIso(s.End));
        w.WriteNumber("factor", s.Factor);
        w.WriteNumber("requests", s.Requests);
        w.WriteNumber("baseline_per_hour", s.BaselinePerHour);
        w.WriteNumber("distinct_ips", s.DistinctIps);
        w.WriteNumber("new_external_ips", s.NewExternalIps);
        w.WriteNumber("new_ips_baseline_per_hour", s.NewIpsBaselinePerHour);
        JsonReport.WriteStrings(w, "reasons", s.Reasons);
        w.WriteStartObject("by_endpoint");
        foreach (var (c, n) in s.ByClass) w.WriteNumber(c.ToWire(), n);
        w.WriteEndObject();
        Counted(w, "top_paths", s.TopPaths);
        Counted(w, "top_user_agents", s.TopUserAgents);
        JsonReport.WriteStrings(w, "attempts", s.Attempts);
        JsonReport.WriteStrings(w, "cves", s.Cves);
        w.WriteString("sentence", s.Sentence());
        w.WriteEndObject();
    }

    private static void Counted(Utf8JsonWriter w, string name, IEnumerable<Counted> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) { w.WriteStartObject(); w.WriteString("value", v.Value); w.WriteNumber("count", v.Count); w.WriteEndObject(); }
        w.WriteEndArray();
    }
}
