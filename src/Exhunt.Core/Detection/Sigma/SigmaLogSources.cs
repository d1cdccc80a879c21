using Exhunt.Data;
using Exhunt.Evidence;
using YamlDotNet.RepresentationModel;

namespace Exhunt.Detection.Sigma;

/// <summary>Where a rule's records live: event channels (+ event IDs, + field renames) or web-log kinds.</summary>
internal abstract record LogTarget
{
    /// <param name="Channels">null: any channel.</param>
    /// <param name="EventIds">null: any event ID.</param>
    public sealed record Events(IReadOnlyList<string>? Channels, IReadOnlySet<int>? EventIds, IReadOnlyDictionary<string, string> Renames) : LogTarget;
    public sealed record WebLogs(IReadOnlyList<ArtifactKind> Kinds) : LogTarget;
}

/// <summary>Sigma logsource → <see cref="LogTarget"/>s, from <c>Data/sigma/logsources.yml</c>.</summary>
internal sealed class SigmaLogSources
{
    private static readonly Lazy<SigmaLogSources> Loaded = new(() => new SigmaLogSources());
    public static SigmaLogSources Instance => Loaded.Value;

    private readonly Dictionary<string, List<string>> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<LogTarget.Events>> _categories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<ArtifactKind>> _weblogs = new(StringComparer.OrdinalIgnoreCase);
    private static readonly IReadOnlyDictionary<string, string> NoRenames = new Dictionary<string, string>();

    private SigmaLogSources()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(DataFiles.Open("sigma/logsources.yml"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (var (k, v) in (YamlMappingNode)root["services"])
            _services[k.ToString()] = ((YamlSequenceNode)v).Children.Select(c => c.ToString()).ToList();
        foreach (var (k, v) in (YamlMappingNode)root["categories"])
        {
            var list = new List<LogTarget.Events>();
            foreach (YamlMappingNode variant in ((YamlSequenceNode)v).Children)
            {
                var ids = ((YamlSequenceNode)variant["eventids"]).Children.Select(c => int.Parse(c.ToString(), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
                var renames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (variant.Children.TryGetValue("rename", out var r))
                    foreach (var (from, to) in (YamlMappingNode)r) renames[from.ToString()] = to.ToString();
                list.Add(new LogTarget.Events([variant["channel"].ToString()], ids, renames));
            }
            _categories[k.ToString()] = list;
        }
        foreach (var (k, v) in (YamlMappingNode)root["weblogs"])
            _weblogs[k.ToString()] = ((YamlSequenceNode)v).Children
                .Select(c => Enum.GetValues<ArtifactKind>().First(a => a.ToWire() == c.ToString())).ToList();
    }

    /// <summary>The targets of a logsource; empty when exhunt reads no such records (the rule is counted unsupported).</summary>
    public IReadOnlyList<LogTarget> Resolve(string? product, string? category, string? service)
    {
        if (category is not null && _weblogs.TryGetValue(category, out var kinds)) return [new LogTarget.WebLogs(kinds)];
        if (product is not null && !product.Equals("windows", StringComparison.OrdinalIgnoreCase)) return [];
        if (product is null && category is null && service is null) return [];
        if (service is not null)
        {
            if (!_services.TryGetValue(service, out var channels)) return [];
            if (category is not null && _categories.TryGetValue(category, out var both))
            {
                var narrowed = both.Where(v => v.Channels!.Any(c => channels.Contains(c, StringComparer.OrdinalIgnoreCase))).ToList();
                if (narrowed.Count > 0) return narrowed;
            }
            return [new LogTarget.Events(channels, null, NoRenames)];
        }
        if (category is not null) return _categories.TryGetValue(category, out var variants) ? variants : [];
        return product is not null ? [new LogTarget.Events(null, null, NoRenames)] : [];
    }
}
