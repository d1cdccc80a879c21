using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Readers.EventJson;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Sigma;

/// <summary>The SigmaHQ tree from the shared corpus: the curated copy, and the full archive unpacked once into a temp folder.</summary>
internal static class SigmaCorpus
{
    private static readonly Lazy<string> FullTree = new(Unpack);
    private static readonly object Gate = new();

    /// <summary>The unpacked full SigmaHQ tree (rules, rules-*, regression_data, deprecated, unsupported).</summary>
    public static string Full()
    {
        Corpus.Path_("sigma/sigma-full-rules-and-regression-data.tar.gz");
        lock (Gate) return FullTree.Value;
    }

    private static string Unpack()
    {
        var archive = Corpus.Path_("sigma/sigma-full-rules-and-regression-data.tar.gz");
        // One copy per archive, reused by later runs (a marker says the unpacking finished), so runs do not pile up copies.
        var dir = Path.Combine(Path.GetTempPath(), $"exhunt-sigma-{new FileInfo(archive).Length}");
        var done = Path.Combine(dir, ".unpacked");
        if (!File.Exists(done))
        {
            Directory.CreateDirectory(dir);
            using (var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gz, dir, overwriteFiles: true);
            File.WriteAllText(done, "");
        }
        var root = Directory.Exists(Path.Combine(dir, "regression_data")) ? dir : Directory.GetDirectories(dir).Single();
        return root;
    }

    /// <summary>Every regression case under <paramref name="root"/>: rule id, expected match count, evtx and json paths.</summary>
    public static IEnumerable<(string InfoPath, string RuleId, int MatchCount, string Evtx, string? Json)> Cases(string root)
    {
        foreach (var info in Directory.EnumerateFiles(Path.Combine(root, "regression_data"), "info.yml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(info);
            var ruleId = Regex.Match(text, @"rule_metadata:\s*\n\s*-\s*id:\s*([0-9a-fA-F-]+)").Groups[1].Value;
            var count = Regex.Match(text, @"^\s+match_count:\s*(\d+)", RegexOptions.Multiline) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 1;
            var evtx = Directory.GetFiles(Path.GetDirectoryName(info)!, "*.evtx").SingleOrDefault();
            var json = Directory.GetFiles(Path.GetDirectoryName(info)!, "*.json").SingleOrDefault();
            if (evtx is not null) yield return (info, ruleId, count, evtx, json);
        }
    }

    /// <summary>Rule id → rule file, for every rule folder of the tree.</summary>
    public static Dictionary<string, string> RulesById(string root)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var dir in Directory.GetDirectories(root).Where(d => Path.GetFileName(d).StartsWith("rules", StringComparison.Ordinal) || Path.GetFileName(d) is "deprecated"))
            foreach (var file in Directory.EnumerateFiles(dir, "*.yml", SearchOption.AllDirectories))
                if (Regex.Match(File.ReadAllText(file), @"^id:\s*([0-9a-fA-F-]+)", RegexOptions.Multiline) is { Success: true } m)
                    map.TryAdd(m.Groups[1].Value, file);
        return map;
    }

    /// <summary>Runs a rule set over events read by OUR readers and returns the findings.</summary>
    public static List<Finding> RunEvtx(SigmaRuleSet set, string path, out ReaderStats stats)
    {
        var context = new ScanContext();
        stats = new ReaderStats();
        using var s = File.OpenRead(path);
        EvtxReader.Read(s, stats, (e, record) => set.Inspect(e, new EventOrigin(Path.GetFileName(path), record), context));
        return context.Findings.Snapshot().ToList();
    }

    /// <summary>SigmaHQ's regression JSON (evtx_dump objects, pretty-printed, one after another) as JSON lines through our JSON reader.</summary>
    public static List<Finding> RunJson(SigmaRuleSet set, string path)
    {
        var bytes = File.ReadAllBytes(path);
        var lines = new StringBuilder();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
            using (var doc = JsonDocument.ParseValue(ref reader))
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Array)
                    foreach (var e in doc.RootElement.EnumerateArray()) lines.Append(JsonSerializer.Serialize(e)).Append('\n');
                else lines.Append(JsonSerializer.Serialize(doc.RootElement)).Append('\n');
            }
        var context = new ScanContext();
        JsonEventReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString())), new ReaderStats(),
            (e, record) => set.Inspect(e, new EventOrigin(Path.GetFileName(path), record), context));
        return context.Findings.Snapshot().ToList();
    }
}
