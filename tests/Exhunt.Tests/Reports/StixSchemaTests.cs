using System.Text.Json;
using Exhunt.Reports;
using Json.Schema;

namespace Exhunt.Tests.Reports;

/// <summary>The STIX bundle checked against OASIS's STIX 2.1 JSON schemas (vendored under tests/Exhunt.Tests/Vendor
/// with their licence).</summary>
public class StixSchemaTests(WriterScan scan) : IClassFixture<WriterScan>
{
    [Fact]
    public void Stix_bundle_validates_against_the_oasis_stix_2_1_schemas()
    {
        var root = Path.Combine(VendorRoot(), "schemas");
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // Referenced schemas first (common, observables, objects), the bundle that refers to all of them last.
        var files = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .OrderBy(f => f.EndsWith("bundle.json", StringComparison.Ordinal))
            .ThenBy(f => f.Contains(Path.DirectorySeparatorChar + "common" + Path.DirectorySeparatorChar) ? 0 : 1)
            .ThenBy(f => f, StringComparer.Ordinal).ToList();
        var pending = files;
        JsonSchema? bundleSchema = null;
        var loaded = new Dictionary<string, JsonSchema>();
        for (var round = 0; round < 5 && pending.Count > 0; round++)
        {
            var failed = new List<string>();
            foreach (var file in pending)
            {
                try
                {
                    var schema = JsonSchema.FromFile(file, build);
                    loaded[Path.GetFileNameWithoutExtension(file)] = schema;
                    if (file.EndsWith("bundle.json", StringComparison.Ordinal)) bundleSchema = schema;
                }
                catch (Exception) { failed.Add(file); }
            }
            pending = failed;
        }
        Assert.Empty(pending);
        Assert.NotNull(bundleSchema);
        using var ms = new MemoryStream();
        ReportWriters.All.Single(w => w.Format == "stix").Write(scan.Result, ms, Exhunt.Findings.Severity.Info);
        var doc = JsonDocument.Parse(ms.ToArray()).RootElement;
        // Each object against the schema of its own type (clear messages), then the whole bundle.
        var problems = new List<string>();
        foreach (var obj in doc.GetProperty("objects").EnumerateArray())
        {
            var type = obj.GetProperty("type").GetString()!;
            Assert.True(loaded.TryGetValue(type, out var schema), "no schema for " + type);
            var r = schema!.Evaluate(obj, options);
            if (!r.IsValid)
                problems.Add(type + " " + obj.GetProperty("id").GetString() + ": " + string.Join("; ", r.Details!.Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} @{d.EvaluationPath} {e.Value}")).Take(12)));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(8)));
        Assert.True(bundleSchema!.Evaluate(doc, options).IsValid, "the bundle does not validate as a whole");
    }

    private static string VendorRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "tests", "Exhunt.Tests", "Vendor", "stix2.1-json-schemas");
            if (Directory.Exists(p)) return p;
        }
        throw new DirectoryNotFoundException("tests/Exhunt.Tests/Vendor/stix2.1-json-schemas not found above " + AppContext.BaseDirectory);
    }
}
