using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// Elastic Common Schema NDJSON, one document per finding (ECS 8.x field names), importable into Elastic or
/// OpenSearch as is. Fields whose ECS type is strict are written only when valid (<c>source.ip</c> must parse as an
/// address). A finding without a time gets the scan's time as <c>@timestamp</c> and the label <c>no_time</c>.
/// </summary>
public sealed class EcsReportWriter : IReportWriter
{
    public const string EcsVersion = "8.11.0";
    public string Format => "ecs";
    public string Description => "Elastic Common Schema NDJSON: one document per finding";

    public void Write(ScanResult result, Stream output, Severity minSeverity) => Write(StoryModel.Of(result, minSeverity), output, DateTime.UtcNow);

    public static void Write(StoryModel model, Stream output, DateTime scanTime)
    {
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.Default };
        var incidentOf = model.IncidentOf;
        foreach (var f in model.Findings)
        {
            TimesketchReportWriter.Line(output, options, w =>
            {
                w.WriteString("@timestamp", Timestamps.ToIso(f.Time ?? scanTime));
                w.WriteString("message", f.DisplayTitle);
                w.WriteStartObject("ecs"); w.WriteString("version", EcsVersion); w.WriteEndObject();
                w.WriteStartObject("event");
                w.WriteString("kind", "alert");
                w.WriteStartArray("category");
                w.WriteStringValue("intrusion_detection");
                if (f.Line is not null && f.Details?.ContainsKey("httpStatus") == true || f.Artifact.Contains("W3SVC", StringComparison.OrdinalIgnoreCase) || f.Artifact.Contains("HttpProxy", StringComparison.OrdinalIgnoreCase)) w.WriteStringValue("web");
                if (IsFile(f)) w.WriteStringValue("file");
                if (Detail(f, "image") is not null) w.WriteStringValue("process");
                w.WriteEndArray();
                w.WriteStartArray("type"); w.WriteStringValue("indicator"); w.WriteEndArray();
                w.WriteString("outcome", f.Outcome switch { Outcome.Succeeded => "success", Outcome.Failed => "failure", _ => "unknown" });
                w.WriteNumber("severity", (int)f.Severity + 1);
                w.WriteNumber("risk_score", f.Severity switch { Severity.Critical => 99, Severity.High => 73, Severity.Medium => 47, Severity.Low => 21, _ => 1 });
                w.WriteString("module", "exhunt");
                w.WriteString("dataset", "exhunt.finding");
                w.WriteString("provider", "exhunt " + ToolVersion.Value);
                w.WriteString("id", f.Id);
                w.WriteString("created", Timestamps.ToIso(scanTime));
                if (f.Evidence is { } ev) w.WriteString("original", Finding.Clip(ev));
                w.WriteEndObject();
                w.WriteStartObject("rule");
                w.WriteString("id", f.Rule.Id);
                w.WriteString("name", f.Rule.Title);
                w.WriteString("ruleset", "exhunt");
                w.WriteEndObject();
                w.WriteStartObject("host"); w.WriteString("name", StoryModel.HostOf(f)); w.WriteEndObject();
                if (f.ClientIp is { } ip && IPAddress.TryParse(ip.Trim(), out var addr))
                {
                    w.WriteStartObject("source"); w.WriteString("ip", addr.ToString()); w.WriteEndObject();
                }
                if (f.Line is not null && Url(f) is { } url)
                {
                    w.WriteStartObject("url");
                    w.WriteString("original", url);
                    var q = url.IndexOf('?');
                    w.WriteString("path", q < 0 ? url : url[..q]);
                    if (q >= 0) w.WriteString("query", url[(q + 1)..]);
                    w.WriteEndObject();
                    if (Method(f) is { } m) { w.WriteStartObject("http"); w.WriteStartObject("request"); w.WriteString("method", m); w.WriteEndObject(); w.WriteEndObject(); }
                }
                if (f.UserAgent is { } ua) { w.WriteStartObject("user_agent"); w.WriteString("original", ua); w.WriteEndObject(); }
                if (f.User is { } user) { w.WriteStartObject("user"); w.WriteString("name", user); w.WriteEndObject(); }
                var filePath = Detail(f, "path") ?? Detail(f, "filePath") ?? (IsFile(f) ? f.Artifact : null);
                if (filePath is not null)
                {
                    w.WriteStartObject("file");
                    w.WriteString("path", filePath);
                    w.WriteString("name", filePath[(filePath.LastIndexOfAny(['/', '\\']) + 1)..]);
                    if (Detail(f, "sha256") is { } sha) { w.WriteStartObject("hash"); w.WriteString("sha256", sha); w.WriteEndObject(); }
                    w.WriteEndObject();
                }
                if (Detail(f, "image") is { } image)
                {
                    w.WriteStartObject("process");
                    w.WriteString("executable", image);
                    w.WriteString("name", image[(image.LastIndexOfAny(['/', '\\']) + 1)..]);
                    if (f.Record is not null && f.Evidence is { } cmd) w.WriteString("command_line", Finding.Clip(cmd));
                    if (Detail(f, "parentImage") is { } parent) { w.WriteStartObject("parent"); w.WriteString("executable", parent); w.WriteEndObject(); }
                    w.WriteEndObject();
                }
                if (f.Rule.Attack.Length > 0 || f.Rule.Tactic.Length > 0)
                {
                    w.WriteStartObject("threat");
                    w.WriteString("framework", "MITRE ATT&CK");
                    w.WriteStartObject("technique");
                    w.WriteStartArray("id");
                    foreach (var t in f.Rule.Attack.Select(a => a.Split('.')[0]).Distinct()) w.WriteStringValue(t);
                    w.WriteEndArray();
                    w.WriteStartArray("reference");
                    foreach (var t in f.Rule.Attack.Select(a => a.Split('.')[0]).Distinct()) w.WriteStringValue($"https://attack.mitre.org/techniques/{t}/");
                    w.WriteEndArray();
                    var subs = f.Rule.Attack.Where(a => a.Contains('.')).ToList();
                    if (subs.Count > 0)
                    {
                        w.WriteStartObject("subtechnique");
                        w.WriteStartArray("id");
                        foreach (var s in subs) w.WriteStringValue(s);
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                    w.WriteStartObject("tactic");
                    w.WriteStartArray("name"); w.WriteStringValue(f.Rule.Tactic); w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                if (f.Rule.Cves.Length > 0)
                {
                    w.WriteStartObject("vulnerability");
                    w.WriteStartArray("id");
                    foreach (var c in f.Rule.Cves) w.WriteStringValue(c);
                    w.WriteEndArray();
                    w.WriteString("scanner", "exhunt");
                    w.WriteEndObject();
                }
                w.WriteStartObject("log");
                w.WriteStartObject("file"); w.WriteString("path", f.Artifact); w.WriteEndObject();
                if (f.Line is { } line) { w.WriteStartObject("origin"); w.WriteStartObject("file"); w.WriteNumber("line", line); w.WriteEndObject(); w.WriteEndObject(); }
                w.WriteEndObject();
                w.WriteStartObject("labels");
                w.WriteString("exhunt_verdict", model.Result.Story.Verdict.ToWire());
                if (incidentOf.TryGetValue(f, out var inc)) w.WriteString("exhunt_incident", inc.Id);
                if (f.Time is null) w.WriteString("no_time", "true");
                w.WriteEndObject();
                w.WriteStartArray("tags");
                w.WriteStringValue("exhunt");
                w.WriteStringValue(f.Severity.ToWire());
                w.WriteEndArray();
            });
        }
    }

    private static bool IsFile(Finding f) => f.Line is null && f.Record is null;

    private static string? Detail(Finding f, string key) => f.Details is { } d && d.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    /// <summary>The request URL from a web finding's evidence ("POST /ecp/y.js?..." or the path alone).</summary>
    private static string? Url(Finding f)
    {
        var e = f.Evidence;
        if (string.IsNullOrEmpty(e)) return Detail(f, "url");
        var sp = e.IndexOf(' ');
        var candidate = sp > 0 && sp < 10 && e[..sp].All(char.IsAsciiLetterUpper) ? e[(sp + 1)..] : e;
        return candidate.StartsWith('/') ? candidate : Detail(f, "url");
    }

    private static string? Method(Finding f)
    {
        var e = f.Evidence;
        if (string.IsNullOrEmpty(e)) return null;
        var sp = e.IndexOf(' ');
        return sp > 0 && sp < 10 && e[..sp].All(char.IsAsciiLetterUpper) ? e[..sp] : null;
    }
}
