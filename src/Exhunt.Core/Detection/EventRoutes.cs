using System.Collections.Concurrent;
using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>
/// The event rules each event goes to, in rule-set order: those whose event IDs (<see cref="IEventRule.EventIds"/>)
/// and channels or providers (<see cref="IEventRule.Channels"/>, <see cref="IEventRule.Providers"/>) admit it.
/// The declarations are indexed once per rule set (event ID → candidates; channel and provider names as sets);
/// the answer for each (event ID, channel, provider) seen is kept, so a lookup after the first takes no lock and
/// allocates nothing.
/// </summary>
public sealed class EventRoutes
{
    private readonly Dictionary<int, Scoped[]> _byId = new();
    private readonly Scoped[] _anyId;
    private readonly ConcurrentDictionary<Key, IEventRule[]> _answers = new();

    /// <summary>The most answers kept; beyond (hostile input with endless channel names) answers are computed each time.</summary>
    private const int MaxAnswers = 4096;

    public EventRoutes(IReadOnlyList<IEventRule> rules)
    {
        All = rules.ToArray();
        var scoped = All.Select(r => new Scoped(r, Set(r.Channels), Set(r.Providers))).ToArray();
        Unrouted = scoped.Where(s => s.Rule.EventIds is null && s.AnyChannel).Select(s => s.Rule).ToArray();
        _anyId = scoped.Where(s => s.Rule.EventIds is null).ToArray();
        foreach (var id in All.Where(r => r.EventIds is not null).SelectMany(r => r.EventIds!).Distinct())
            _byId[id] = scoped.Where(s => s.Rule.EventIds is null || s.Rule.EventIds.Contains(id)).ToArray();
    }

    public IEventRule[] All { get; }

    /// <summary>The rules that get every event.</summary>
    public IEventRule[] Unrouted { get; }

    public IEventRule[] For(WinEvent evt)
    {
        var key = new Key(evt.EventId, evt.Channel ?? "", evt.Provider ?? "");
        if (_answers.TryGetValue(key, out var rules)) return rules;
        rules = Compute(key);
        if (_answers.Count < MaxAnswers) _answers.TryAdd(key, rules);
        return rules;
    }

    private IEventRule[] Compute(Key key)
    {
        var candidates = _byId.TryGetValue(key.EventId, out var byId) ? byId : _anyId;
        return candidates.Where(s => s.Admits(key.Channel, key.Provider)).Select(s => s.Rule).ToArray();
    }

    private static HashSet<string>? Set(IReadOnlyList<string>? names) =>
        names is null ? null : new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);

    private sealed record Scoped(IEventRule Rule, HashSet<string>? Channels, HashSet<string>? Providers)
    {
        public bool AnyChannel => Channels is null && Providers is null;

        public bool Admits(string channel, string provider) =>
            AnyChannel || Channels?.Contains(channel) == true || Providers?.Contains(provider) == true;
    }

    private readonly record struct Key(int EventId, string Channel, string Provider)
    {
        public bool Equals(Key other) => EventId == other.EventId
            && string.Equals(Channel, other.Channel, StringComparison.OrdinalIgnoreCase)
            && string.Equals(Provider, other.Provider, StringComparison.OrdinalIgnoreCase);

        public override int GetHashCode() => HashCode.Combine(EventId,
            StringComparer.OrdinalIgnoreCase.GetHashCode(Channel), StringComparer.OrdinalIgnoreCase.GetHashCode(Provider));
    }
}
