using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using Exhunt.Reports;
using Json.Schema;

namespace Exhunt.Tests.Reports;

public class StoryWritersTests(WriterScan scan) : IClassFixture<WriterScan>
{
    private static IReportWriter Writer(string format) => ReportWriters.All.Single(w => w.Format == format);

    [Fact]
    public void The_hostile_lines_became_findings_the_writers_must_escape()
    {
        Assert.Contains(scan.Result.Findings, f => f.Evidence?.Contains("<script>document.title='PWNED1'</script>") == true);
        Assert.Contains(scan.Result.Findings, f => f.UserAgent?.Contains("onerror=document.title='PWNED2'") == true);
    }

    [Fact]
    public void Html_escapes_every_attacker_string_and_allows_only_its_own_hashed_script()
    {
        var html = Encoding.UTF8.GetString(scan.Render(Writer("html")));
        File.WriteAllText(Path.Combine(WriterScan.OutputFolder(), "report.html"), html);
        var doc = new HtmlParser().ParseDocument(html);

        var csp = doc.QuerySelector("meta[http-equiv='Content-Security-Policy']")?.GetAttribute("content");
        Assert.NotNull(csp);
        Assert.Contains("default-src 'none'", csp);
        var scripts = doc.QuerySelectorAll("script");
        var script = Assert.Single(scripts);
        Assert.Null(script.GetAttribute("src"));
        Assert.Contains($"script-src '{HtmlReportWriter.Hash(script.TextContent)}'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var style = Assert.Single(doc.QuerySelectorAll("style"));
        Assert.Contains($"style-src '{HtmlReportWriter.Hash(style.TextContent)}'", csp);

        foreach (var el in doc.All)
        {
            foreach (var a in el.Attributes)
            {
                Assert.False(a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler attribute {a.Name} on <{el.LocalName}>");
                Assert.DoesNotContain("javascript:", a.Value, StringComparison.OrdinalIgnoreCase);
            }
        }
        Assert.Empty(doc.QuerySelectorAll("img, iframe, object, embed, link, base, form, a[href]"));
        Assert.Empty(doc.QuerySelectorAll("svg script, svg [onload]"));
        // The payloads are there, as text.
        Assert.Contains("<script>document.title='PWNED1'</script>", doc.Body!.TextContent);
        Assert.Contains("onerror=document.title='PWNED2'", doc.Body.TextContent);
        Assert.Contains("\"><svg/onload=document.title='PWNED4'>", doc.Body.TextContent);
    }

    [Fact]
    public void Html_tells_verdict_stage_hosts_timeline_chart_findings_and_coverage()
    {
        var doc = new HtmlParser().ParseDocument(Encoding.UTF8.GetString(scan.Render(Writer("html"))));
        Assert.StartsWith("Compromised", doc.QuerySelector("header h1")!.TextContent);
        Assert.Contains("Stage:", doc.QuerySelector("header .stage")!.TextContent);
        Assert.NotEmpty(doc.QuerySelectorAll(".card"));
        Assert.NotEmpty(doc.QuerySelectorAll("details summary"));
        Assert.NotEmpty(doc.QuerySelectorAll("svg path"));
        Assert.Equal(scan.Model.Findings.Count, doc.QuerySelectorAll("#findings tbody tr").Length);
        Assert.Contains(doc.QuerySelectorAll("h2"), h => h.TextContent.StartsWith("Coverage"));
        Assert.Contains(doc.QuerySelectorAll("h2"), h => h.TextContent.StartsWith("What to do next"));
    }

    [Fact]
    public void Timesketch_lines_carry_the_required_fields()
    {
        var lines = Encoding.UTF8.GetString(scan.Render(Writer("jsonl"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var steps = scan.Model.Incidents.Sum(i => Exhunt.Story.Narrative.Tell(i).Count);
        Assert.Equal(scan.Model.Findings.Count + steps, lines.Length);
        foreach (var line in lines)
        {
            var o = JsonNode.Parse(line)!.AsObject();
            Assert.False(string.IsNullOrWhiteSpace((string?)o["message"]));
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", (string)o["datetime"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)o["timestamp_desc"]));
            Assert.StartsWith("exhunt:", (string)o["data_type"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)o["host"]));
            Assert.NotEmpty(o["tags"]!.AsArray());
            foreach (var (k, v) in o) Assert.True(v is null || v is JsonValue || k == "tags", $"{k} is not flat");
        }
        Assert.Equal(scan.Model.Findings.Count, lines.Count(l => l.Contains("\"data_type\":\"exhunt:finding\"")));
    }

    [Fact]
    public void Ecs_documents_have_ecs_fields_with_valid_types()
    {
        var lines = Encoding.UTF8.GetString(scan.Render(Writer("ecs"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(scan.Model.Findings.Count, lines.Length);
        var withIp = 0;
        foreach (var line in lines)
        {
            var o = JsonNode.Parse(line)!;
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T", (string)o["@timestamp"]!);
            Assert.Equal("alert", (string)o["event"]!["kind"]!);
            Assert.Contains((string)o["event"]!["outcome"]!, new[] { "success", "failure", "unknown" });
            Assert.False(string.IsNullOrEmpty((string?)o["host"]!["name"]));
            Assert.False(string.IsNullOrEmpty((string?)o["rule"]!["id"]));
            if (o["source"]?["ip"] is { } ip) { Assert.True(System.Net.IPAddress.TryParse((string)ip!, out _)); withIp++; }
            if (o["threat"] is { } t) Assert.All(t["technique"]!["id"]!.AsArray(), id => Assert.Matches(@"^T\d{4}$", (string)id!));
            if (o["vulnerability"] is { } v) Assert.All(v["id"]!.AsArray(), id => Assert.StartsWith("CVE-", (string)id!));
        }
        Assert.True(withIp > 0);
        Assert.Contains(lines, l => l.Contains("\"user_agent\":{\"original\""));
        Assert.Contains(lines, l => l.Contains("\"url\":{\"original\""));
        Assert.Contains(lines, l => l.Contains("\"file\":{\"path\""));
    }

    [Fact]
    public void Stix_bundle_is_well_formed_and_references_resolve()
    {
        var bytes = scan.Render(Writer("stix"));
        File.WriteAllBytes(Path.Combine(WriterScan.OutputFolder(), "report.stix.json"), bytes);
        var bundle = JsonNode.Parse(bytes)!;
        Assert.Equal("bundle", (string)bundle["type"]!);
        var objects = bundle["objects"]!.AsArray().Select(o => o!).ToList();
        var ids = objects.Select(o => (string)o["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var o in objects)
        {
            var type = (string)o["type"]!;
            Assert.Matches($"^{type}--[0-9a-f]{{8}}-[0-9a-f]{{4}}-[1-5][0-9a-f]{{3}}-[89ab][0-9a-f]{{3}}-[0-9a-f]{{12}}$", (string)o["id"]!);
            Assert.Equal("2.1", (string)o["spec_version"]!);
            foreach (var (k, v) in o.AsObject())
            {
                if (k.EndsWith("_ref")) Assert.Contains((string)v!, ids);
                if (k.EndsWith("_refs")) Assert.All(v!.AsArray(), r => Assert.Contains((string)r!, ids));
            }
        }
        Assert.Contains(objects, o => (string)o["type"]! == "identity");
        Assert.Contains(objects, o => (string)o["type"]! == "vulnerability" && (string)o["name"]! == "CVE-2021-26855");
        Assert.Contains(objects, o => (string)o["type"]! == "attack-pattern");
        var indicators = objects.Where(o => (string)o["type"]! == "indicator").ToList();
        Assert.Contains(indicators, i => ((string)i["pattern"]!).Contains("ipv4-addr:value = '104.140.114.110'"));
        Assert.Contains(indicators, i => ((string)i["pattern"]!).Contains("User-Agent"));
        Assert.All(indicators, i => Assert.Equal("stix", (string)i["pattern_type"]!));
        Assert.All(objects.Where(o => (string)o["type"]! == "sighting"), s => Assert.True((int)s["count"]! >= 1));
        Assert.Contains(objects, o => (string)o["type"]! == "observed-data");
    }

    [Fact]
    public void Json_report_validates_against_the_published_schema_and_counts_agree_across_writers()
    {
        var json = scan.Render(Writer("json"));
        File.WriteAllBytes(Path.Combine(WriterScan.OutputFolder(), "report.json"), json);
        AssertValid(json);
        var report = JsonNode.Parse(json)!;
        Assert.Equal(scan.Model.Findings.Count, report["findings"]!.AsArray().Count);
        Assert.Equal(scan.Model.Surges.Count, report["anomalies"]!.AsArray().Count);
        Assert.Equal(scan.Model.NextSteps.Count, report["next_steps"]!.AsArray().Count);
        Assert.Equal(scan.Model.Stage.Tactic, (string)report["stage"]!["tactic"]!);
        var ecs = Encoding.UTF8.GetString(scan.Render(Writer("ecs"))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var ts = Encoding.UTF8.GetString(scan.Render(Writer("jsonl"))).Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("exhunt:finding"));
        var html = new HtmlParser().ParseDocument(Encoding.UTF8.GetString(scan.Render(Writer("html")))).QuerySelectorAll("#findings tbody tr").Length;
        Assert.Equal(report["findings"]!.AsArray().Count, ecs);
        Assert.Equal(ecs, ts);
        Assert.Equal(ts, html);
    }

    internal static void AssertValid(byte[] json)
    {
        var schema = JsonSchema.FromFile(SchemaPath());
        var result = schema.Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = result.Details?.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")).Take(10).ToList();
        Assert.True(result.IsValid, "schema errors: " + string.Join("; ", errors ?? []));
    }

    internal static string SchemaPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "schemas", "exhunt.report-1.schema.json");
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException("schemas/exhunt.report-1.schema.json not found above " + AppContext.BaseDirectory);
    }
}
