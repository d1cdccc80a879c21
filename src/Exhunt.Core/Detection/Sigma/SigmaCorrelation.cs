using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Exhunt.Detection.Sigma;

public enum SigmaCorrelationType { EventCount, ValueCount, Temporal, TemporalOrdered }

/// <summary>One bound of a correlation condition: <c>gt</c>, <c>gte</c>, <c>lt</c>, <c>lte</c>, <c>eq</c> or <c>neq</c> and its number.</summary>
public readonly record struct CorrelationBound(string Op, long Value)
{
    public bool Holds(long count) => Op switch
    {
        "gt" => count > Value,
        "gte" => count >= Value,
        "lt" => count < Value,
        "lte" => count <= Value,
        "eq" => count == Value,
        "neq" => count != Value,
        _ => false,
    };

    public override string ToString() => $"{Op} {Value}";
}

/// <summary>A Sigma correlation rule as read from YAML (Sigma correlation rules specification v2).</summary>
public sealed class SigmaCorrelation
{
    public required string Path { get; init; }
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string Title { get; init; } = "";
    /// <summary>Empty when the rule names none (the highest level of the rules it joins is used then).</summary>
    public string Level { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public SigmaCorrelationType Type { get; init; }
    /// <summary>The rules joined, by id or name, in the order given (the order matters for temporal_ordered).</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];
    public IReadOnlyList<string> GroupBy { get; init; } = [];
    public TimeSpan Timespan { get; init; }
    /// <summary>All must hold (a range is two bounds). Empty for temporal types: every rule must match.</summary>
    public IReadOnlyList<CorrelationBound> Condition { get; init; } = [];
    /// <summary>value_count: the field whose distinct values are counted.</summary>
    public string? Field { get; init; }
    /// <summary>alias → (rule id or name → field name in that rule's records).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Aliases { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
    /// <summary>Whether the rules joined also make findings of their own (default: no).</summary>
    public bool Generate { get; init; }

    public string TypeName => Type switch
    {
        SigmaCorrelationType.EventCount => "event_count",
        SigmaCorrelationType.ValueCount => "value_count",
        SigmaCorrelationType.Temporal => "temporal",
        _ => "temporal_ordered",
    };
}

/// <summary>Reads the <c>correlation</c> section of a Sigma document; malformed parts throw <see cref="SigmaRuleException"/>
/// with the reason (the document is then rejected with it).</summary>
internal static partial class SigmaCorrelationParser
{
    /// <summary>Longest timespan accepted: ten years (a hostile "99999999999d" must not overflow).</summary>
    public static readonly TimeSpan MaxTimespan = TimeSpan.FromDays(3650);
    private const int MaxRules = 64;
    private const int MaxGroupBy = 16;

    public static SigmaCorrelation Parse(string path, string id, YamlMappingNode doc, YamlNode section)
    {
        if (section is not YamlMappingNode c) throw new SigmaRuleException("correlation section is not a mapping");
        var typeText = SigmaDocuments.Str(c, "type") ?? throw new SigmaRuleException("correlation has no type");
        var type = typeText switch
        {
            "event_count" => SigmaCorrelationType.EventCount,
            "value_count" => SigmaCorrelationType.ValueCount,
            "temporal" => SigmaCorrelationType.Temporal,
            "temporal_ordered" => SigmaCorrelationType.TemporalOrdered,
            _ => throw new SigmaRuleException($"unsupported correlation type '{typeText}' (event_count, value_count, temporal, temporal_ordered are)"),
        };
        var rules = c.Children.TryGetValue("rules", out var r) ? SigmaDocuments.List(r) : [];
        if (rules.Count == 0 || rules.Any(string.IsNullOrWhiteSpace)) throw new SigmaRuleException("correlation names no rules");
        if (rules.Count > MaxRules) throw new SigmaRuleException($"correlation names more than {MaxRules} rules");
        var groupBy = c.Children.TryGetValue("group-by", out var g) ? SigmaDocuments.List(g) : [];
        if (groupBy.Count > MaxGroupBy) throw new SigmaRuleException($"correlation groups by more than {MaxGroupBy} fields");
        if (type != SigmaCorrelationType.TemporalOrdered && rules.Distinct(StringComparer.OrdinalIgnoreCase).Count() < rules.Count)
            throw new SigmaRuleException($"{typeText} correlation names a rule twice (only temporal_ordered can: a sequence may repeat a step)");
        var timespanText = SigmaDocuments.Str(c, "timespan") ?? throw new SigmaRuleException("correlation has no timespan");
        var timespan = Timespan(timespanText);

        var bounds = new List<CorrelationBound>();
        string? field = null;
        if (c.Children.TryGetValue("condition", out var cond))
        {
            if (cond is not YamlMappingNode cm) throw new SigmaRuleException("correlation condition is not a mapping (e.g. 'gte: 10')");
            foreach (var (k, v) in cm.Children)
            {
                var key = k.ToString();
                if (key == "field")
                {
                    field = v is YamlScalarNode { Value: { Length: > 0 } f } ? f : throw new SigmaRuleException("correlation condition field is not a field name");
                    continue;
                }
                if (key is not ("gt" or "gte" or "lt" or "lte" or "eq" or "neq"))
                    throw new SigmaRuleException($"unsupported correlation condition '{key}' (gt, gte, lt, lte, eq, neq and field are)");
                if (v is not YamlScalarNode { Value: { } n } || !long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
                    throw new SigmaRuleException($"correlation condition '{key}' is not a non-negative whole number");
                bounds.Add(new CorrelationBound(key, value));
            }
        }
        if (type is SigmaCorrelationType.EventCount or SigmaCorrelationType.ValueCount && bounds.Count == 0)
            throw new SigmaRuleException($"{typeText} correlation has no condition (e.g. 'gte: 10')");
        if (type == SigmaCorrelationType.ValueCount && field is null)
            throw new SigmaRuleException("value_count correlation names no condition field");

        var aliases = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        if (c.Children.TryGetValue("aliases", out var a))
        {
            if (a is not YamlMappingNode am) throw new SigmaRuleException("correlation aliases is not a mapping");
            foreach (var (k, v) in am.Children)
            {
                if (v is not YamlMappingNode perRule) throw new SigmaRuleException($"alias '{k}' is not a mapping of rule names to fields");
                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (rule, f) in perRule.Children)
                {
                    if (f is not YamlScalarNode { Value: { Length: > 0 } fieldName }) throw new SigmaRuleException($"alias '{k}' maps rule '{rule}' to no field");
                    if (!rules.Contains(rule.ToString(), StringComparer.OrdinalIgnoreCase))
                        throw new SigmaRuleException($"alias '{k}' names rule '{rule}' that the correlation does not join");
                    map[rule.ToString()] = fieldName;
                }
                aliases[k.ToString()] = map;
            }
        }

        var generateText = SigmaDocuments.Str(c, "generate") ?? SigmaDocuments.Str(doc, "generate");
        var generate = generateText switch
        {
            null or "false" or "False" => false,
            "true" or "True" => true,
            _ => throw new SigmaRuleException($"generate must be true or false (got '{generateText}')"),
        };

        return new SigmaCorrelation
        {
            Path = path,
            Id = id,
            Name = SigmaDocuments.Str(doc, "name"),
            Title = SigmaDocuments.Str(doc, "title") ?? "",
            Level = (SigmaDocuments.Str(doc, "level") ?? "").ToLowerInvariant(),
            Tags = doc.Children.TryGetValue("tags", out var t) ? SigmaDocuments.List(t) : [],
            Type = type,
            Rules = rules,
            GroupBy = groupBy,
            Timespan = timespan,
            Condition = bounds,
            Field = field,
            Aliases = aliases,
            Generate = generate,
        };
    }

    /// <summary>"30s", "5m", "1h", "7d", "2w"; also "1M" (30 days) and "1y" (365 days) as pySigma reads them.</summary>
    public static TimeSpan Timespan(string text)
    {
        var m = TimespanPattern().Match(text.Trim());
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw new SigmaRuleException($"timespan '{text}' is not a positive number followed by s, m, h, d, w, M or y");
        var seconds = m.Groups[2].Value switch
        {
            "s" => 1L, "m" => 60L, "h" => 3600L, "d" => 86400L, "w" => 7 * 86400L, "M" => 30 * 86400L, _ => 365 * 86400L,
        };
        if (n > (long)MaxTimespan.TotalSeconds / seconds) throw new SigmaRuleException($"timespan '{text}' is longer than {MaxTimespan.TotalDays:0} days");
        return TimeSpan.FromSeconds(n * seconds);
    }

    [GeneratedRegex("^([0-9]{1,12})([smhdwMy])$")]
    private static partial Regex TimespanPattern();
}
