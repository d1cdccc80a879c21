using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// Timesketch JSONL: one flat object per finding and per incident step, with the fields Timesketch requires
/// (<c>message</c>, <c>datetime</c> ISO 8601, <c>timestamp_desc</c>) plus <c>data_type</c>, <c>host</c>, <c>tags</c>.
/// A finding without a time (a file) gets the epoch and <c>timestamp_desc: "Not a time"</c>, as plaso does.
/// </summary>
public sealed class TimesketchReportWriter : IReportWriter
{
    public const string NoTime = "1970-01-01T00:00:00.000Z";
    public string Format => "jsonl";
    public string Description => "Timesketch JSONL: one event per finding and per incident step";

    public void Write(ScanResult result, Stream output, Severity minSeverity) => Write(StoryModel.Of(result, minSeverity), output);

    public static void Write(StoryModel model, Stream output)
    {
        var options = new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.Default };
        var incidentOf = model.IncidentOf;
        foreach (var f in model.Findings)
        {
            Line(output, options, w =>
            {
                w.WriteString("message", $"[{f.Severity.ToWire()}] {f.DisplayTitle}" + (f.Outcome == Outcome.Unknown ? "" : $" ({f.Outcome.ToWire()})"));
                Time(w, f.Time, f.Rule.Tactic is "persistence" && f.Line is null ? "File found" : "Event Recorded");
                w.WriteString("data_type", "exhunt:finding");
                w.WriteString("host", StoryModel.HostOf(f));
                w.WriteStartArray("tags");
                w.WriteStringValue("exhunt");
                w.WriteStringValue(f.Severity.ToWire());
                w.WriteStringValue(f.Rule.Tactic);
                foreach (var c in f.Rule.Cves) w.WriteStringValue(c);
                if (incidentOf.TryGetValue(f, out var inc)) w.WriteStringValue("incident-" + inc.Id);
                w.WriteEndArray();
                w.WriteString("finding_id", f.Id);
                w.WriteString("rule_id", f.Rule.Id);
                w.WriteString("severity", f.Severity.ToWire());
                w.WriteString("outcome", f.Outcome.ToWire());
                w.WriteString("tactic", f.Rule.Tactic);
                w.WriteString("attack", string.Join(",", f.Rule.Attack));
                w.WriteString("cves", string.Join(",", f.Rule.Cves));
                w.WriteString("artifact", f.Artifact);
                if (f.Line is { } l) w.WriteNumber("line", l);
                if (f.Record is { } r) w.WriteNumber("record", r);
                if (f.ClientIp is { } ip) w.WriteString("client_ip", ip);
                if (f.UserAgent is { } ua) w.WriteString("user_agent", ua);
                if (f.User is { } u) w.WriteString("user", u);
                if (Finding.Clip(f.Evidence) is { } e) w.WriteString("evidence", e);
                if (inc is not null) w.WriteString("incident", inc.Id);
            });
        }
        foreach (var i in model.Incidents)
        {
            var stage = model.IncidentStages[i.Id];
            var host = i.Findings.Select(StoryModel.HostOf).FirstOrDefault() ?? HostName.Unknown;
            foreach (var step in Narrative.Tell(i, model.MinSeverity))
            {
                Line(output, options, w =>
                {
                    w.WriteString("message", $"{i.Id} {step.Stage}: {step.Text}");
                    Time(w, step.Time, "Incident Step");
                    w.WriteString("data_type", "exhunt:incident:step");
                    w.WriteString("host", host);
                    w.WriteStartArray("tags");
                    w.WriteStringValue("exhunt");
                    w.WriteStringValue("incident-" + i.Id);
                    w.WriteStringValue(i.Verdict.ToWire());
                    w.WriteEndArray();
                    w.WriteString("incident", i.Id);
                    w.WriteString("verdict", i.Verdict.ToWire());
                    w.WriteString("stage", stage.Tactic);
                    w.WriteString("stage_label", stage.Label);
                    w.WriteString("client_ips", string.Join(",", i.ClientIps));
                });
            }
        }
    }

    private static void Time(Utf8JsonWriter w, DateTime? t, string desc)
    {
        if (t is { } v) { w.WriteString("datetime", Timestamps.ToIso(v)); w.WriteString("timestamp_desc", desc); }
        else { w.WriteString("datetime", NoTime); w.WriteString("timestamp_desc", "Not a time"); }
    }

    internal static void Line(Stream output, JsonWriterOptions options, Action<Utf8JsonWriter> body)
    {
        using (var w = new Utf8JsonWriter(output, options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
    }
}
