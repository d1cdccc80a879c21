using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// One self-contained HTML file a person reads offline: verdict and stage, per-host cards, next steps, the incident
/// timeline, an hourly traffic chart per host (inline SVG) with surges and attacks marked, a filterable findings
/// table, coverage and read problems. No network, no external script or font. Every string from the evidence is
/// HTML-escaped (and control characters dropped); a Content-Security-Policy allows only the page's own style and
/// script, by hash, so markup smuggled into a log field could not run even if it escaped.
/// </summary>
public sealed class HtmlReportWriter : IReportWriter
{
    public string Format => "html";
    public string Description => "a self-contained HTML report to read in a browser (offline)";

    public void Write(ScanResult result, Stream output, Severity minSeverity) => Write(StoryModel.Of(result, minSeverity), output);

    internal const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
        header{padding:18px 28px;color:#fff}
        header.compromised{background:#a4161a}header.attempted{background:#c75000}header.suspicious{background:#8a6d00}
        header.inconclusive{background:#4a4e69}header.clean{background:#2b7a3d}
        h1{margin:0 0 6px;font-size:22px}h2{font-size:17px;margin:26px 0 8px}main{padding:8px 28px 40px}
        .stage{font-size:15px;margin:4px 0}.surge{font-size:14px;margin:4px 0;opacity:.95}
        .cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:10px 14px;min-width:260px;flex:1}
        .v{font-weight:600;text-transform:uppercase;font-size:12px;padding:1px 6px;border-radius:3px;color:#fff}
        .v.compromised{background:#a4161a}.v.attempted{background:#c75000}.v.suspicious{background:#8a6d00}.v.inconclusive{background:#4a4e69}.v.clean{background:#2b7a3d}
        table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}th,td{border:1px solid #d8dce2;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#eef0f3}td.ev{font-family:ui-monospace,Consolas,monospace;word-break:break-all;max-width:520px}
        tr.critical td:first-child{border-left:4px solid #a4161a}tr.high td:first-child{border-left:4px solid #c75000}
        .muted{color:#5b6470}header .muted{color:#f0f0f0}ol.steps li{margin:4px 0}.src{font-size:12px;color:#5b6470}
        .filters{margin:6px 0 8px}.filters input,.filters select{font:inherit;padding:3px 6px;margin-right:8px}
        svg{background:#fff;border:1px solid #d8dce2;border-radius:6px}svg text{font:11px system-ui,sans-serif;fill:#3b4350}
        .legend span{margin-right:14px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
        .sw.vol{background:#3867d6}.sw.sur{background:#f7b267}.sw.att{background:#a4161a}
        details{margin:6px 0}
        """;

    internal const string Script = """
        (function(){
          var q=document.getElementById('q'),s=document.getElementById('sev'),h=document.getElementById('host'),n=document.getElementById('shown');
          var order=['info','low','medium','high','critical'];
          function apply(){
            var text=q.value.toLowerCase(),min=order.indexOf(s.value),host=h.value,shown=0;
            var rows=document.querySelectorAll('#findings tbody tr');
            for(var i=0;i<rows.length;i++){
              var r=rows[i],ok=order.indexOf(r.getAttribute('data-severity'))>=min
                &&(host===''||r.getAttribute('data-host')===host)
                &&(text===''||r.textContent.toLowerCase().indexOf(text)>=0);
              r.hidden=!ok;if(ok)shown++;
            }
            n.textContent=String(shown);
          }
          q.addEventListener('input',apply);s.addEventListener('change',apply);h.addEventListener('change',apply);apply();
        })();
        """;

    public static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string ContentSecurityPolicy =>
        $"default-src 'none'; script-src '{Hash(Script)}'; style-src '{Hash(Style)}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void Write(StoryModel model, Stream output)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        var r = model.Result;
        var verdict = r.Story.Verdict.ToWire();
        w.Write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        w.Write($"<meta http-equiv=\"Content-Security-Policy\" content=\"{Esc(ContentSecurityPolicy)}\">");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\">");
        w.Write($"<title>exhunt: {Esc(verdict)} — {Esc(r.Root)}</title><style>{Style}</style></head><body>");

        w.Write($"<header class=\"{verdict}\"><h1>{Esc(r.Story.Sentence)}</h1>");
        w.Write($"<p class=\"stage\">Stage: <b>{Esc(model.Stage.Label)}</b>. {Esc(model.Stage.Sentence)}</p>");
        foreach (var s in model.Surges.Take(3)) w.Write($"<p class=\"surge\">{Esc(s.Sentence())}</p>");
        if (model.Surges.Count > 3) w.Write($"<p class=\"surge\">… and {model.Surges.Count - 3} more surge(s) below.</p>");
        w.Write($"<p class=\"muted\">Scanned {Esc(r.Root)} · exhunt {Esc(ToolVersion.Value)} · {r.Artifacts.Count:N0} files · {r.Findings.Count:N0} findings</p></header><main>");

        Hosts(w, model);
        NextStepsSection(w, model);
        Timeline(w, model);
        Charts(w, model);
        FindingsTable(w, model);
        CoverageSection(w, model);
        w.Write($"</main><script>{Script}</script></body></html>\n");
    }

    private static void Hosts(StreamWriter w, StoryModel model)
    {
        w.Write("<h2>Hosts</h2><div class=\"cards\">");
        var stages = model.HostStages.Count > 0 ? model.HostStages : [model.Stage];
        foreach (var st in stages)
        {
            var host = st.Host ?? "all evidence";
            var mine = model.Result.Findings.Where(f => string.Equals(StoryModel.HostOf(f), host, StringComparison.OrdinalIgnoreCase)).ToList();
            var v = mine.Count > 0 ? StoryTeller.VerdictOf(mine) : model.Result.Story.Verdict;
            var ips = mine.Where(f => f.Rule.Implies >= Proves.Attempt).Select(f => f.ClientIp).OfType<string>().Where(ip => !IpAddresses.IsInternal(ip)).Distinct().Take(6).ToList();
            w.Write($"<div class=\"card\"><b>{Esc(host)}</b> <span class=\"v {v.ToWire()}\">{v.ToWire()}</span>");
            w.Write($"<div>Stage: {Esc(st.Label)}</div>");
            w.Write($"<div class=\"muted\">{mine.Count:N0} finding(s); first {Esc(Iso(mine.Min(f => f.Time)))}, last {Esc(Iso(mine.Max(f => f.Time)))}</div>");
            if (ips.Count > 0) w.Write($"<div>From: {Esc(string.Join(", ", ips))}</div>");
            var notSeen = st.NotSeen.Where(n => n.Checked).Select(n => n.What).ToList();
            if (notSeen.Count > 0) w.Write($"<div class=\"muted\">Not seen: {Esc(string.Join("; ", notSeen))}</div>");
            w.Write("</div>");
        }
        w.Write("</div>");
    }

    private static void NextStepsSection(StreamWriter w, StoryModel model)
    {
        if (model.NextSteps.Count == 0) return;
        w.Write("<h2>What to do next</h2><ol class=\"steps\">");
        foreach (var s in model.NextSteps)
        {
            w.Write($"<li><b>{Esc(s.Host)}</b>: {Esc(s.Text)}");
            if (s.Findings.Count > 0) w.Write($" <span class=\"muted\">({Esc(string.Join(", ", s.Findings))})</span>");
            // The guidance URL comes from our own data file, never from the evidence; shown as text, not a live link.
            w.Write($"<div class=\"src\">Source: {Esc(s.Source.Title)} — {Esc(s.Source.Url)}</div></li>");
        }
        w.Write("</ol>");
    }

    private static void Timeline(StreamWriter w, StoryModel model)
    {
        var incidents = model.Incidents.ToList();
        w.Write($"<h2>Incidents ({incidents.Count})</h2>");
        if (incidents.Count == 0) { w.Write("<p class=\"muted\">None.</p>"); return; }
        foreach (var i in incidents)
        {
            var st = model.IncidentStages[i.Id];
            var ips = string.Join(", ", i.ClientIps.Take(6));
            w.Write($"<details{(i.Verdict >= Verdict.Attempted ? " open" : "")}><summary><b>{Esc(i.Id)}</b> <span class=\"v {i.Verdict.ToWire()}\">{i.Verdict.ToWire()}</span> ");
            w.Write($"{Esc(Iso(i.First))} → {Esc(Iso(i.Last))} {(ips.Length > 0 ? "from " + Esc(ips) : "")} — {Esc(st.Label)}</summary>");
            w.Write("<table><thead><tr><th>Time (UTC)</th><th>Step</th><th>What</th></tr></thead><tbody>");
            foreach (var step in Narrative.Tell(i, model.MinSeverity))
                w.Write($"<tr><td>{Esc(Iso(step.Time))}</td><td>{Esc(step.Stage)}</td><td>{Esc(step.Text)}</td></tr>");
            w.Write("</tbody></table>");
            w.Write($"<p class=\"muted\">{Esc(st.Sentence)}</p></details>");
        }
    }

    private static void Charts(StreamWriter w, StoryModel model)
    {
        var traffic = model.Result.Traffic?.PerHost() ?? [];
        w.Write("<h2>Web traffic per hour</h2>");
        if (traffic.Count == 0) { w.Write("<p class=\"muted\">No IIS or HttpProxy log was read.</p>"); return; }
        w.Write("<p class=\"legend\"><span><i class=\"sw vol\"></i>requests per hour</span><span><i class=\"sw sur\"></i>surge</span><span><i class=\"sw att\"></i>exploitation finding</span></p>");
        foreach (var t in traffic.Take(8)) Chart(w, model, t);
    }

    private static void Chart(StreamWriter w, StoryModel model, HostTraffic t)
    {
        if (t.Hours.Count == 0) return;
        const int width = 1000, height = 180, left = 48, bottom = 22, top = 8;
        var first = t.Hours.Keys.First();
        var last = t.Hours.Keys.Last();
        if ((last - first).TotalHours >= HostTraffic.MaxHours) first = last.AddHours(-(HostTraffic.MaxHours - 1));
        var n = (int)(last - first).TotalHours + 1;
        var max = Math.Max(1, t.Hours.Where(kv => kv.Key >= first).Max(kv => kv.Value.Requests));
        double X(DateTime at) => left + (width - left - 8) * ((at - first).TotalHours / Math.Max(1, n));
        double Y(double v) => top + (height - top - bottom) * (1 - v / max);
        var c = CultureInfo.InvariantCulture;
        w.Write($"<h3>{Esc(t.Host)} <span class=\"muted\">({Esc(Stage.KindName(t.Source))}, {t.Requests:N0} requests)</span></h3>");
        w.Write($"<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>Requests per hour on {Esc(t.Host)}</title>");
        foreach (var s in model.Surges.Where(s => string.Equals(s.Host, t.Host, StringComparison.OrdinalIgnoreCase) && s.End > first))
            w.Write(string.Format(c, "<rect x=\"{0:0.#}\" y=\"{1}\" width=\"{2:0.#}\" height=\"{3}\" fill=\"#f7b267\" opacity=\"0.6\"><title>{4}</title></rect>",
                X(s.Start), top, Math.Max(2, X(s.End) - X(s.Start)), height - top - bottom, Esc(s.Sentence())));
        var path = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var at = first.AddHours(i);
            var v = t.Hours.TryGetValue(at, out var h) ? h.Requests : 0;
            path.Append(i == 0 ? 'M' : 'L').Append(X(at).ToString("0.#", c)).Append(',').Append(Y(v).ToString("0.#", c)).Append(' ');
        }
        w.Write($"<path d=\"{path}\" fill=\"none\" stroke=\"#3867d6\" stroke-width=\"1.2\"/>");
        var attacks = model.Findings.Where(f => f.Time is { } ft && ft >= first && ft <= last.AddHours(1) && f.Rule.Implies >= Proves.Attempt
            && (string.Equals(StoryModel.HostOf(f), t.Host, StringComparison.OrdinalIgnoreCase) || StoryModel.HostOf(f) == HostName.Unknown))
            .GroupBy(f => new DateTime(f.Time!.Value.Year, f.Time.Value.Month, f.Time.Value.Day, f.Time.Value.Hour, 0, 0, DateTimeKind.Utc));
        foreach (var g in attacks)
            w.Write(string.Format(c, "<line x1=\"{0:0.#}\" x2=\"{0:0.#}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#a4161a\" stroke-width=\"2\"><title>{3}</title></line>",
                X(g.Key), height - bottom, height - bottom - 14, Esc($"{Iso(g.Key)}: {g.Count()} exploitation finding(s): {string.Join(", ", g.Select(f => f.Id).Take(8))}")));
        w.Write(string.Format(c, "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#8a93a0\"/>", left, width - 8, height - bottom));
        w.Write(string.Format(c, "<text x=\"4\" y=\"{0}\">{1:N0}</text><text x=\"4\" y=\"{2}\">0</text>", top + 10, max, height - bottom));
        var days = Math.Max(1, (int)Math.Ceiling(n / 24.0 / 10));
        for (var d = first.Date; d <= last; d = d.AddDays(days))
            if (d >= first) w.Write(string.Format(c, "<text x=\"{0:0.#}\" y=\"{1}\">{2:MM-dd}</text>", X(d), height - 6, d));
        w.Write("</svg>");
    }

    private static void FindingsTable(StreamWriter w, StoryModel model)
    {
        w.Write($"<h2>Findings (<span id=\"shown\">{model.Findings.Count}</span> of {model.Findings.Count} shown)</h2>");
        w.Write("<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"filter: text, IP, path, rule …\" aria-label=\"filter\">");
        w.Write("<select id=\"sev\" aria-label=\"minimum severity\"><option value=\"info\">all severities</option><option value=\"low\">low+</option><option value=\"medium\">medium+</option><option value=\"high\">high+</option><option value=\"critical\">critical</option></select>");
        w.Write("<select id=\"host\" aria-label=\"host\"><option value=\"\">all hosts</option>");
        foreach (var h in model.Findings.Select(StoryModel.HostOf).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
            w.Write($"<option value=\"{Esc(h)}\">{Esc(h)}</option>");
        w.Write("</select></div>");
        w.Write("<table id=\"findings\"><thead><tr><th>Id</th><th>Time (UTC)</th><th>Host</th><th>Severity</th><th>Outcome</th><th>Tactic</th><th>Title</th><th>Client</th><th>Evidence</th><th>Where</th></tr></thead><tbody>");
        foreach (var f in model.Findings)
        {
            var sev = f.Severity.ToWire();
            var where = f.Artifact + (f.Line is { } l ? ":" + l : f.Record is { } rec ? " #" + rec : "");
            w.Write($"<tr class=\"{sev}\" data-severity=\"{sev}\" data-host=\"{Esc(StoryModel.HostOf(f))}\"><td>{Esc(f.Id)}</td><td>{Esc(Iso(f.Time))}</td><td>{Esc(StoryModel.HostOf(f))}</td>");
            w.Write($"<td>{sev}</td><td>{f.Outcome.ToWire()}</td><td>{Esc(f.Rule.Tactic)}</td><td>{Esc(f.DisplayTitle)}");
            if (f.Rule.Cves.Length > 0) w.Write($" <span class=\"muted\">{Esc(string.Join(", ", f.Rule.Cves))}</span>");
            w.Write($"</td><td>{Esc(f.ClientIp ?? "")}{(f.UserAgent is { } ua ? "<div class=\"muted\">" + Esc(Finding.Clip(ua)!) + "</div>" : "")}</td>");
            w.Write($"<td class=\"ev\">{Esc(Finding.Clip(f.Evidence) ?? "")}</td><td class=\"ev\">{Esc(where)}</td></tr>");
        }
        w.Write("</tbody></table>");
    }

    private static void CoverageSection(StreamWriter w, StoryModel model)
    {
        var r = model.Result;
        w.Write("<h2>Coverage</h2><table><thead><tr><th>Kind</th><th>Files</th><th>Records</th><th>First (UTC)</th><th>Last (UTC)</th></tr></thead><tbody>");
        foreach (var c in r.Coverage)
            w.Write($"<tr><td>{Esc(c.Kind.ToWire())}</td><td>{c.Files:N0}</td><td>{c.Records:N0}</td><td>{Esc(Iso(c.First))}</td><td>{Esc(Iso(c.Last))}</td></tr>");
        w.Write("</tbody></table>");
        var problems = r.Artifacts.Where(a => a.Stats.Errors.Count > 0 || a.Stats.Skipped > 0).OrderBy(a => a.File.RelativePath, StringComparer.Ordinal).ToList();
        w.Write($"<h2>Read problems ({problems.Count + r.ListingErrors.Count})</h2>");
        if (problems.Count + r.ListingErrors.Count == 0) { w.Write("<p class=\"muted\">None: every file was read in full.</p>"); return; }
        w.Write("<table><thead><tr><th>File</th><th>Skipped</th><th>Problems</th></tr></thead><tbody>");
        foreach (var e in r.ListingErrors) w.Write($"<tr><td>(evidence)</td><td></td><td class=\"ev\">{Esc(e)}</td></tr>");
        foreach (var a in problems.Take(500))
            w.Write($"<tr><td class=\"ev\">{Esc(a.File.RelativePath)}</td><td>{a.Stats.Skipped:N0}</td><td class=\"ev\">{Esc(string.Join(" · ", a.Stats.Errors))}</td></tr>");
        w.Write("</tbody></table>");
        if (problems.Count > 500) w.Write($"<p class=\"muted\">… and {problems.Count - 500} more files with problems (see the JSON report).</p>");
    }

    private static string Iso(DateTime? t) => t is { } v ? Timestamps.ToIso(v) : "—";

    /// <summary>HTML text and attribute escaping; control characters (other than tab and newline) are dropped.</summary>
    public static string Esc(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var sb = new StringBuilder(s.Length + 16);
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '`': sb.Append("&#96;"); break;
                default:
                    if (char.IsControl(ch) && ch is not '\t' and not '\n') sb.Append('\uFFFD');
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.ToString();
    }
}
