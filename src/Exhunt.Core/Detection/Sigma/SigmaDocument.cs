using YamlDotNet.RepresentationModel;

namespace Exhunt.Detection.Sigma;

/// <summary>A Sigma rule as read from YAML (not yet compiled).</summary>
public sealed class SigmaRule
{
    public required string Path { get; init; }
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string Title { get; init; } = "";
    public string Level { get; init; } = "";
    public string Status { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Product { get; init; }
    public string? Category { get; init; }
    public string? Service { get; init; }
    /// <summary>The YAML tree; released once the rule is compiled (it is most of a loaded rule set's memory).</summary>
    internal YamlMappingNode Detection { get; set; } = new();
    internal List<string> Conditions { get; init; } = [];
    /// <summary>False when every loaded correlation that names this rule leaves <c>generate</c> off: its matches then
    /// only feed those correlations and make no findings of their own (Sigma correlation specification, "Generate").</summary>
    internal bool Generates { get; set; } = true;
}

/// <summary>A Sigma filter (meta-filter document): a detection AND NOT'ed into the rules it names.</summary>
public sealed class SigmaFilter
{
    public required string Path { get; init; }
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public IReadOnlyList<string> Rules { get; init; } = [];
    public string? Product { get; init; }
    public string? Category { get; init; }
    public string? Service { get; init; }
    internal YamlMappingNode Detection { get; init; } = new();
    internal List<string> Conditions { get; init; } = [];
}

/// <summary>What one YAML document of a rule file is.</summary>
internal abstract record SigmaDocument(string Path, string Id)
{
    public sealed record Rule(SigmaRule Value) : SigmaDocument(Value.Path, Value.Id);
    public sealed record Filter(SigmaFilter Value) : SigmaDocument(Value.Path, Value.Id);
    public sealed record Correlation(SigmaCorrelation Value) : SigmaDocument(Value.Path, Value.Id);
    public sealed record Rejected(string P, string I, string Reason) : SigmaDocument(P, I);
    /// <summary>A YAML document that is no Sigma rule, filter or correlation (regression-test info, tool config).</summary>
    public sealed record NotARule(string P, string I) : SigmaDocument(P, I);
}

/// <summary>Reads the documents of one rule file: single rules, v1 collections (action: global / reset / repeat),
/// correlation documents (<see cref="SigmaCorrelationParser"/>) and filter documents.</summary>
internal static class SigmaDocuments
{
    public const int MaxFileBytes = 1 << 20;

    public static List<SigmaDocument> Read(string path, TextReader text)
    {
        var stream = new YamlStream();
        try { stream.Load(text); }
        catch (YamlDotNet.Core.YamlException e) { return [new SigmaDocument.Rejected(path, "", $"YAML error: {e.Message}")]; }
        var result = new List<SigmaDocument>();
        YamlMappingNode? global = null, previous = null;
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is not YamlMappingNode map)
            {
                if (doc.RootNode is YamlScalarNode { Value: null or "" }) continue;
                result.Add(new SigmaDocument.Rejected(path, "", "document is not a YAML mapping"));
                continue;
            }
            var action = Str(map, "action");
            switch (action)
            {
                case "global": global = map; continue;
                case "reset": global = null; continue;
                case "repeat": map = Merge(previous ?? new YamlMappingNode(), map); break;
                default: if (global is not null) map = Merge(global, map); break;
            }
            previous = map;
            result.Add(Interpret(path, map));
        }
        return result;
    }

    private static SigmaDocument Interpret(string path, YamlMappingNode map)
    {
        var id = Str(map, "id") ?? "";
        try
        {
            if (map.Children.TryGetValue("correlation", out var corr))
                return new SigmaDocument.Correlation(SigmaCorrelationParser.Parse(path, id, map, corr));
            var logsource = map.Children.TryGetValue("logsource", out var ls) ? ls as YamlMappingNode : null;
            if (map.Children.TryGetValue("filter", out var f))
            {
                if (f is not YamlMappingNode filter) return new SigmaDocument.Rejected(path, id, "filter is not a mapping");
                var rules = filter.Children.TryGetValue("rules", out var r) ? List(r) : [];
                var detection = new YamlMappingNode();
                foreach (var (k, v) in filter.Children)
                    if (k.ToString() is not "rules" and not "condition") detection.Add(k, v);
                return new SigmaDocument.Filter(new SigmaFilter
                {
                    Path = path, Id = id, Title = Str(map, "title") ?? "", Rules = rules,
                    Product = Str(logsource, "product"), Category = Str(logsource, "category"), Service = Str(logsource, "service"),
                    Detection = detection, Conditions = filter.Children.TryGetValue("condition", out var c) ? List(c) : [],
                });
            }
            if (!map.Children.ContainsKey("detection") && !map.Children.ContainsKey("logsource"))
                return new SigmaDocument.NotARule(path, id);
            if (!map.Children.TryGetValue("detection", out var d) || d is not YamlMappingNode det)
                return new SigmaDocument.Rejected(path, id, "no detection section");
            return new SigmaDocument.Rule(new SigmaRule
            {
                Path = path,
                Id = id,
                Name = Str(map, "name"),
                Title = Str(map, "title") ?? "",
                Level = (Str(map, "level") ?? "").ToLowerInvariant(),
                Status = Str(map, "status") ?? "",
                Tags = map.Children.TryGetValue("tags", out var t) ? List(t) : [],
                Product = Str(logsource, "product"),
                Category = Str(logsource, "category"),
                Service = Str(logsource, "service"),
                Detection = det,
                Conditions = det.Children.TryGetValue("condition", out var cond) ? List(cond) : [],
            });
        }
        catch (SigmaRuleException e)
        {
            return new SigmaDocument.Rejected(path, id, e.Message);
        }
    }

    internal static string? Str(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;

    internal static List<string> List(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw new SigmaRuleException("expected a list of strings")).ToList(),
        _ => throw new SigmaRuleException("expected a string or a list of strings"),
    };

    /// <summary>Deep merge: <paramref name="over"/> wins; nested mappings merge.</summary>
    private static YamlMappingNode Merge(YamlMappingNode under, YamlMappingNode over)
    {
        var result = new YamlMappingNode();
        foreach (var (k, v) in under.Children)
            if (k.ToString() != "action") result.Add(k, v);
        foreach (var (k, v) in over.Children)
        {
            if (k.ToString() == "action") continue;
            if (result.Children.TryGetValue(k, out var existing) && existing is YamlMappingNode a && v is YamlMappingNode b)
                result.Children[k] = Merge(a, b);
            else
                result.Children[k] = v;
        }
        return result;
    }
}
