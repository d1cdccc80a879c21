using System.Buffers;
using System.Reflection;
using Exhunt.Evidence;

namespace Exhunt.Detection;

/// <summary>
/// The detectors a scan runs. <see cref="BuiltIn"/> finds every rule class in this assembly (public or internal,
/// with a parameterless constructor), so adding a rule is adding its file.
/// </summary>
public sealed class RuleSet
{
    public List<ILogRule> LogRules { get; } = new();
    public List<IEventRule> EventRules { get; } = new();
    public List<IFileRule> FileRules { get; } = new();
    public List<ICorrelationRule> CorrelationRules { get; } = new();

    private readonly Dictionary<ArtifactKind, ILogRule[]> _byKind = new();
    private readonly Dictionary<ArtifactKind, LinePrefilter?> _prefilters = new();

    /// <summary>The line prefilter for a kind (see <see cref="ILogRule.LineNeedles"/>); null when every line must be read.</summary>
    public LinePrefilter? LinePrefilterFor(ArtifactKind kind)
    {
        var rules = LogRulesFor(kind);
        lock (_prefilters)
        {
            if (!_prefilters.TryGetValue(kind, out var filter))
                _prefilters[kind] = filter = LogRuleRunner.BuildPrefilter(rules);
            return filter;
        }
    }

    public ILogRule[] LogRulesFor(ArtifactKind kind)
    {
        lock (_byKind)
        {
            if (!_byKind.TryGetValue(kind, out var rules))
                _byKind[kind] = rules = LogRules.Where(r => r.Handles(kind)).ToArray();
            return rules;
        }
    }

    public static RuleSet BuiltIn()
    {
        var set = new RuleSet();
        var types = typeof(RuleSet).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var t in types)
        {
            var isRule = typeof(ILogRule).IsAssignableFrom(t) || typeof(IEventRule).IsAssignableFrom(t)
                || typeof(IFileRule).IsAssignableFrom(t) || typeof(ICorrelationRule).IsAssignableFrom(t);
            if (!isRule) continue;
            var rule = Activator.CreateInstance(t, nonPublic: true)!;
            if (rule is ILogRule l) set.LogRules.Add(l);
            if (rule is IEventRule e) set.EventRules.Add(e);
            if (rule is IFileRule f) set.FileRules.Add(f);
            if (rule is ICorrelationRule c) set.CorrelationRules.Add(c);
        }
        return set;
    }
}
