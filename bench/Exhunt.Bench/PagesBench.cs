using System.Diagnostics;
using Exhunt.Detection;
using Exhunt.Detection.Content;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Bench;

/// <summary>
/// pages DIR [--list]: runs the file rules over every file below DIR as the scanner does (one read, content rules)
/// and prints how many files were judged at each severity by the content rules, MB/s and files/s;
/// --list prints one line per page finding (severity, detectors, path).
/// pages generate DIR N: writes a web root of N benign generated pages (for timing only).
/// </summary>
internal static class PagesBench
{
    public static int Run(string[] args)
    {
        if (args.Length >= 3 && args[0] == "generate") return Generate(args[1], int.Parse(args[2]));
        if (args.Length >= 2 && args[0] == "explain") { Explain(args[1]); return Explain(args[1]); }
        var dir = args[0];
        var list = args.Contains("--list");
        var rules = RuleSet.BuiltIn();
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        var bySeverity = new Dictionary<string, int>();
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        foreach (var path in files)
        {
            var rel = Path.GetRelativePath(dir, path).Replace('\\', '/');
            var file = new EvidenceFile(rel, new FileInfo(path).Length, null, () => File.OpenRead(path));
            bytes += file.Length;
            var context = new ScanContext();
            var t0 = clock.Elapsed;
            using (var s = file.Open())
            {
                var head = new byte[ArtifactClassifier.SniffBytes];
                head = head[..s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
                ArtifactClassifier.Classify(file, head);
                if (file.Kind.IsLog()) continue;
                using var content = FileContentReader.Read(file, s, head, rules.FileRules);
                foreach (var rule in rules.FileRules)
                    if (rule.Handles(file.Kind)) rule.Inspect(file, content, context);
            }
            var hits = context.Findings.Snapshot().Where(f => f.Rule.Id.StartsWith("content-", StringComparison.Ordinal)).ToList();
            var top = hits.Count == 0 ? "none" : hits.Max(f => f.Severity).ToWire();
            bySeverity[top] = bySeverity.GetValueOrDefault(top) + 1;
            if (list) foreach (var f in hits) Console.WriteLine($"{f.Severity.ToWire()}\t{f.Details?.GetValueOrDefault("detectors")}\t{rel}");
            if (list && (clock.Elapsed - t0).TotalMilliseconds > 200) Console.WriteLine($"slow\t{(clock.Elapsed - t0).TotalMilliseconds:F0} ms\t{rel}");
        }
        clock.Stop();
        Console.WriteLine($"{files.Count:N0} files, {bytes / 1e6:F1} MB in {clock.Elapsed.TotalSeconds:F2} s: {bytes / 1e6 / clock.Elapsed.TotalSeconds:F1} MB/s, {files.Count / clock.Elapsed.TotalSeconds:F0} files/s");
        foreach (var s in new[] { "critical", "high", "medium", "low", "none" })
            Console.WriteLine($"  {s,-8} {bySeverity.GetValueOrDefault(s)}");
        return 0;
    }

    /// <summary>Phase timings and every signal of one page (tuning aid).</summary>
    private static int Explain(string path)
    {
        var text = PageText.Decode(File.ReadAllBytes(path));
        var clock = Stopwatch.StartNew();
        var type = PageTypes.Of(path);
        var page = PageParser.Parse(text, type?.Language ?? PageLanguage.AspNet);
        Console.WriteLine($"parse {clock.ElapsedMilliseconds} ms: {page.ServerCode.Length} code chars, {page.Dialect}, controls {string.Join(",", page.ControlIds)}");
        clock.Restart();
        var deob = Deobfuscator.Run(page.ServerCode);
        Console.WriteLine($"deobfuscate {clock.ElapsedMilliseconds} ms: {string.Join("; ", deob.Tricks)}");
        clock.Restart();
        var facts = TaintAnalysis.Analyse(deob.Code, page.Dialect, page.ControlIds);
        Console.WriteLine($"taint {clock.ElapsedMilliseconds} ms: {facts.Statements} statements, request={facts.HasRequestInput} auth={facts.HasAuthCheck} ext={facts.HasExtensionCheck}");
        foreach (var h in facts.Sinks.Take(40)) Console.WriteLine($"  sink {h.Family}/{h.Name} tainted={h.Tainted} path={h.PathFromRequest} literal={h.LiteralOnly}: {h.Statement[..Math.Min(120, h.Statement.Length)]}");
        clock.Restart();
        var j = ShellJudge.Judge(page, deob, facts, page.ServerCode);
        Console.WriteLine($"judge {clock.ElapsedMilliseconds} ms: {j.Severity}");
        foreach (var sig in j.Signals) Console.WriteLine($"  {sig.Strength} {sig.Detector}: {sig.Snippet[..Math.Min(100, sig.Snippet.Length)]}");
        return 0;
    }

    private static int Generate(string dir, int count)
    {
        var rng = new Random(7);
        for (var i = 0; i < count; i++)
        {
            var sub = Path.Combine(dir, "inetpub", "wwwroot", "site" + (i % 20), "pages" + (i % 7));
            Directory.CreateDirectory(sub);
            var body = string.Concat(Enumerable.Range(0, 40 + rng.Next(200)).Select(n => $"<div class=\"row r{n}\"><asp:Label ID=\"L{n}\" runat=\"server\" Text=\"Item {n}\" /></div>\n"));
            File.WriteAllText(Path.Combine(sub, $"page{i}.aspx"),
                $"<%@ Page Language=\"C#\" AutoEventWireup=\"true\" CodeBehind=\"page{i}.aspx.cs\" Inherits=\"Site.Page{i}\" %>\n<html><body><form runat=\"server\">\n{body}<% if (Request.QueryString[\"tab\"] == \"2\") {{ %><p>Tab two</p><% }} %>\n</form></body></html>\n");
            File.WriteAllText(Path.Combine(sub, $"page{i}.aspx.cs"),
                $"using System;\nnamespace Site {{ public partial class Page{i} : System.Web.UI.Page {{ protected void Page_Load(object s, EventArgs e) {{ L0.Text = Server.HtmlEncode(Request.QueryString[\"q\"] ?? \"\"); }} }} }}\n");
            if (i % 10 == 0) File.WriteAllBytes(Path.Combine(sub, $"img{i}.png"), new byte[200_000]);
        }
        return 0;
    }
}
