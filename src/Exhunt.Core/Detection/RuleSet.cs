using System.Buffers;
using Exhunt.Evidence;

namespace Exhunt.Detection;

/// <summary>
/// The detectors a scan runs: the built-in ones (<see cref="BuiltIn"/>, listed in <see cref="BuiltInRules"/>) and any
/// loaded ones (Sigma) added to the lists.
/// </summary>
public sealed class RuleSet
{
    public List<ILogRule> LogRules { get; } = new();
    public List<IEventRule> EventRules { get; } = new();
    public List<IFileRule> FileRules { get; } = new();
    public List<ICorrelationRule> CorrelationRules { get; } = new();

    private readonly Dictionary<ArtifactKind, ILogRule[]> _byKind = new();
    private readonly Dictionary<ArtifactKind, LogRoute> _routes = new();

    /// <summary>
    /// The line prefilter for a kind: the needles of every rule of the kind that declares them (see
    /// <see cref="ILogRule.LineNeedles"/>); null when no rule of the kind declares any. Rules without needles do not
    /// switch it off: they get every line (<see cref="LogRoute"/>).
    /// </summary>
    public LinePrefilter? LinePrefilterFor(ArtifactKind kind) => LogRouteFor(kind).Prefilter;

    /// <summary>Which rules of a kind get which lines, built once per kind.</summary>
    public LogRoute LogRouteFor(ArtifactKind kind)
    {
        var rules = LogRulesFor(kind);
        lock (_routes)
        {
            if (!_routes.TryGetValue(kind, out var route))
                _routes[kind] = route = LogRoute.Build(rules);
            return route;
        }
    }

    private EventRoutes? _eventRoutes;

    /// <summary>Which event rules get which events (by event ID), built once for the set.</summary>
    public EventRoutes EventRoutes
    {
        get
        {
            lock (_byKind) return _eventRoutes ??= new EventRoutes(EventRules);
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

    /// <summary>Every rule object of the set, once (one object may be a rule of several kinds).</summary>
    public IEnumerable<object> All => LogRules.Cast<object>().Concat(EventRules).Concat(FileRules).Concat(CorrelationRules)
        .Distinct(ReferenceEqualityComparer.Instance);

    /// <summary>The built-in rules, from the explicit list in <see cref="BuiltInRules"/>.</summary>
    public static RuleSet BuiltIn()
    {
        var set = new RuleSet();
        foreach (var rule in BuiltInRules.Create())
        {
            if (rule is ILogRule l) set.LogRules.Add(l);
            if (rule is IEventRule e) set.EventRules.Add(e);
            if (rule is IFileRule f) set.FileRules.Add(f);
            if (rule is ICorrelationRule c) set.CorrelationRules.Add(c);
        }
        return set;
    }
}
