using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>
/// The event rules each event ID goes to: the rules that declare it (<see cref="IEventRule.EventIds"/>) and those that
/// declare none (every event), in rule-set order. Built once per rule set; lookups take no lock and allocate nothing.
/// </summary>
public sealed class EventRoutes
{
    private readonly Dictionary<int, IEventRule[]> _byId = new();

    public EventRoutes(IReadOnlyList<IEventRule> rules)
    {
        All = rules.ToArray();
        Unrouted = All.Where(r => r.EventIds is null).ToArray();
        foreach (var id in All.Where(r => r.EventIds is not null).SelectMany(r => r.EventIds!).Distinct())
            _byId[id] = All.Where(r => r.EventIds is null || r.EventIds.Contains(id)).ToArray();
    }

    public IEventRule[] All { get; }

    /// <summary>The rules that get every event.</summary>
    public IEventRule[] Unrouted { get; }

    public IEventRule[] For(WinEvent evt) => _byId.TryGetValue(evt.EventId, out var rules) ? rules : Unrouted;
}
