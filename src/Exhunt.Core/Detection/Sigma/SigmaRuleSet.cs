using Exhunt.Detection.Events;
using Exhunt.Detection.Web;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>One Sigma rule compiled for one place its records live (a channel + event IDs with its field names, or web logs).</summary>
internal sealed class CompiledSigmaRule
{
    public required SigmaRule Rule { get; init; }
    public required RuleInfo Info { get; init; }
    public required SigmaNode Node { get; init; }
    public required FieldKey[] Fields { get; init; }
    public required LogTarget Target { get; init; }
    /// <summary>Position in the rule set's event rules (the prefilter's rule number); -1 for web rules.</summary>
    public int Index { get; set; } = -1;
}

/// <summary>The account of a load: every rule file and document is loaded, rejected (with the reason) or unsupported.</summary>
public sealed class SigmaLoadReport
{
    public int Loaded { get; internal set; }
    public int UnsupportedLogSource { get; internal set; }
    public int Filters { get; internal set; }
    /// <summary>YAML documents under the path that are no rule, filter or correlation (regression-test info, tool config).</summary>
    public int NotRules { get; internal set; }
    /// <summary>Correlation rules loaded (also counted in <see cref="Loaded"/>).</summary>
    public int Correlations { get; internal set; }
    public List<SigmaReject> Rejected { get; } = new();
}

public sealed record SigmaReject(string Path, string Id, string Reason);

/// <summary>
/// Loaded Sigma rules, run as one event rule and one log rule: each event goes only to the rules of its channel and
/// event ID, from an index built once; each web-log line only to the webserver rules.
/// </summary>
public sealed class SigmaRuleSet : IEventRule, ILogRule
{
    private sealed class ChannelIndex
    {
        public Dictionary<int, CompiledSigmaRule[]> ByEventId { get; } = new();
        public CompiledSigmaRule[] AnyEventId { get; set; } = [];
        public Dictionary<int, Bucket> BucketByEventId { get; } = new();
        public Bucket AnyEventIdBucket { get; set; } = Bucket.Empty;
    }

    /// <summary>The rules of one routing key and the fields the prefilter searches for them.</summary>
    internal sealed class Bucket(CompiledSigmaRule[] rules, int[] sources)
    {
        public static readonly Bucket Empty = new([], []);
        public CompiledSigmaRule[] Rules { get; } = rules;
        public int[] Sources { get; } = sources;
    }

    private readonly Dictionary<string, ChannelIndex> _byChannel = new(StringComparer.OrdinalIgnoreCase);
    private readonly CompiledSigmaRule[] _anyChannel;
    private readonly Bucket _anyChannelBucket;
    private readonly SigmaPrefilter _prefilter;

    /// <summary>Whether events go through the literal prefilter (on by default; off only to compare in tests and benchmarks).</summary>
    internal bool UseEventPrefilter { get; set; } = true;

    internal SigmaPrefilter EventPrefilter => _prefilter;
    private readonly Dictionary<ArtifactKind, CompiledSigmaRule[]> _byKind;
    private readonly IReadOnlyList<string>? _needles;
    private readonly SigmaPrefilter _webPrefilter;
    /// <summary>The webserver rules as log rules: those with line needles, and those that must see every line.</summary>
    private readonly SigmaWebRules _webWithNeedles, _webEveryLine;

    /// <summary>How many rules run over web logs, and how many of them see every line (no literal the raw line must
    /// hold: regex only, negation only, values too short); the rest see only lines holding one of their needles.</summary>
    public int WebRuleCount { get; }
    public int WebRulesEveryLine { get; }
    public IReadOnlyList<string> WebEveryLinePaths { get; }

    public SigmaLoadReport Report { get; }
    /// <summary>The correlation rules of the load (null: none), run after the scan as a correlation rule.</summary>
    public SigmaCorrelationEngine? Correlations { get; internal init; }
    internal IReadOnlyList<CompiledSigmaRule> Compiled { get; }
    public IReadOnlyList<RuleInfo> Infos => Compiled.Select(c => c.Info).Concat(Correlations?.Infos ?? []).DistinctBy(i => i.Id).ToList();

    internal SigmaRuleSet(IReadOnlyList<CompiledSigmaRule> compiled, SigmaLoadReport report)
    {
        Compiled = compiled;
        Report = report;
        var events = compiled.Where(c => c.Target is LogTarget.Events).ToList();
        _anyChannel = events.Where(c => ((LogTarget.Events)c.Target).Channels is null).ToArray();
        foreach (var c in events)
        {
            var t = (LogTarget.Events)c.Target;
            foreach (var channel in t.Channels ?? [])
            {
                if (!_byChannel.TryGetValue(channel, out var index)) _byChannel[channel] = index = new ChannelIndex();
                if (t.EventIds is null) index.AnyEventId = [.. index.AnyEventId, c];
                else foreach (var id in t.EventIds) index.ByEventId[id] = index.ByEventId.TryGetValue(id, out var list) ? [.. list, c] : [c];
            }
        }
        foreach (var index in _byChannel.Values)
        {
            foreach (var id in index.ByEventId.Keys.ToList()) index.ByEventId[id] = [.. index.ByEventId[id], .. index.AnyEventId, .. _anyChannel];
            index.AnyEventId = [.. index.AnyEventId, .. _anyChannel];
        }
        for (var i = 0; i < events.Count; i++) events[i].Index = i;
        _prefilter = new SigmaPrefilter(events.Select(c => SigmaNeeds.Of(c.Node)).ToList());
        Bucket Make(CompiledSigmaRule[] rules) => new(rules, _prefilter.SourcesFor(rules.Select(r => r.Index)));
        _anyChannelBucket = Make(_anyChannel);
        foreach (var index in _byChannel.Values)
        {
            foreach (var (id, rules) in index.ByEventId) index.BucketByEventId[id] = Make(rules);
            index.AnyEventIdBucket = Make(index.AnyEventId);
        }
        _byKind = compiled.Where(c => c.Target is LogTarget.WebLogs)
            .SelectMany(c => ((LogTarget.WebLogs)c.Target).Kinds.Select(k => (k, c)))
            .GroupBy(x => x.k).ToDictionary(g => g.Key, g => g.Select(x => x.c).ToArray());
        var web = _byKind.Values.SelectMany(x => x).Distinct().ToList();
        _needles = WebNeedles(web);
        for (var i = 0; i < web.Count; i++) web[i].Index = i;
        _webPrefilter = new SigmaPrefilter(web.Select(c => SigmaNeeds.Of(c.Node, SigmaNeeds.AsciiRun, SigmaWebNeedles.Chance)).ToList());
        var everyLine = web.Where(r => WebNeedles([r]) is null).ToHashSet();
        WebRuleCount = web.Select(r => r.Info.Id).Distinct().Count();
        WebRulesEveryLine = everyLine.Select(r => r.Info.Id).Distinct().Count();
        WebEveryLinePaths = everyLine.Select(r => r.Rule.Path).Distinct().Order(StringComparer.Ordinal).ToList();
        Dictionary<ArtifactKind, Bucket> Group(bool wantsEveryLine) => _byKind
            .Select(kv => (kv.Key, Rules: kv.Value.Where(r => everyLine.Contains(r) == wantsEveryLine).ToArray()))
            .Where(x => x.Rules.Length > 0)
            .ToDictionary(x => x.Key, x => new Bucket(x.Rules, _webPrefilter.SourcesFor(x.Rules.Select(r => r.Index))));
        var withNeedles = Group(false);
        var needles = WebNeedles(withNeedles.Values.SelectMany(b => b.Rules).Distinct().ToList());
        var rawLiterals = web.Select(r => everyLine.Contains(r) ? null
            : (IReadOnlyList<string>)SigmaNeeds.Of(r.Node, StringMatcher.RawRun, SigmaWebNeedles.Chance)!.Items.Select(i => i.Literal).ToList()).ToList();
        _webWithNeedles = new SigmaWebRules(this, withNeedles, needles, needles is null ? null : SigmaLineGate.Build(needles, rawLiterals));
        _webEveryLine = new SigmaWebRules(this, Group(true), null, null);
    }

    /// <summary>Adds these rules to a scan's rule set and returns the set: one event rule, and the webserver rules as
    /// two log rules — those with line needles (they get only lines holding one) and those that must see every line —
    /// so a rule without needles no longer turns the line prefilter off for the others.</summary>
    public RuleSet AddTo(RuleSet set)
    {
        set.EventRules.Add(this);
        if (_webWithNeedles.HasRules) set.LogRules.Add(_webWithNeedles);
        if (_webEveryLine.HasRules) set.LogRules.Add(_webEveryLine);
        if (Correlations is not null) set.CorrelationRules.Add(Correlations);
        return set;
    }

    /// <summary>The rules an event goes to (channel and event ID), from the index.</summary>
    internal CompiledSigmaRule[] RulesFor(WinEvent evt)
    {
        if (!_byChannel.TryGetValue(evt.Channel, out var index)) return _anyChannel;
        return index.ByEventId.TryGetValue(evt.EventId, out var rules) ? rules : index.AnyEventId;
    }

    internal Bucket BucketFor(WinEvent evt)
    {
        if (!_byChannel.TryGetValue(evt.Channel, out var index)) return _anyChannelBucket;
        return index.BucketByEventId.TryGetValue(evt.EventId, out var bucket) ? bucket : index.AnyEventIdBucket;
    }

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        var bucket = BucketFor(evt);
        var rules = bucket.Rules;
        if (rules.Length == 0) return;
        var view = WinEventFields.Of(evt);
        int[]? stamps = null;
        var generation = 0;
        var gated = _prefilter.Gated;
        if (UseEventPrefilter) _prefilter.Scan(view, bucket.Sources, out stamps, out generation);
        List<string>? fired = null;
        foreach (var rule in rules)
        {
            if (stamps is not null && gated[rule.Index] && stamps[rule.Index] != generation) continue;
            if (rule.Node.Eval(view))
            {
                // One finding per rule id and event, even when a multi-document rule reaches it twice.
                if (fired?.Contains(rule.Info.Id) == true) continue;
                (fired ??= new()).Add(rule.Info.Id);
                Correlations?.Record(rule, view, evt.TimeCreated, evt.Computer, origin.Artifact, null, origin.Record, context);
                if (!rule.Rule.Generates) continue;
                var details = new Dictionary<string, string> { ["sigma"] = rule.Rule.Path };
                var evidence = Evidence(rule, view, details);
                context.Add(EventFindings.Make(rule.Info, evt, origin, evidence, details: details));
            }
        }
    }

    public bool Handles(ArtifactKind kind) => _byKind.ContainsKey(kind);

    public IReadOnlyList<string>? LineNeedles => _needles;

    /// <summary>As one log rule (all webserver rules; no line needles when one rule has none). A scan uses
    /// <see cref="AddTo"/>, which registers the two groups instead.</summary>
    public void Inspect(LogRecord record, ScanContext context)
    {
        _webWithNeedles.Inspect(record, context);
        _webEveryLine.Inspect(record, context);
    }

    /// <summary>Evaluates the bucket's rules that may match the line: with a <paramref name="gate"/>, those owning a
    /// needle the raw line holds; without, those whose field literals the line's fields hold (rules without any: all).</summary>
    internal void InspectWeb(LogRecord record, Bucket bucket, ScanContext context, SigmaLineGate? gate)
    {
        var view = LogRecordFields.Of(record);
        int[]? stamps = null;
        var generation = 0;
        bool[]? gated = null;
        if (UseEventPrefilter && gate is not null) gate.Scan(record.Raw, out stamps, out generation);
        else if (UseEventPrefilter)
        {
            gated = _webPrefilter.Gated;
            _webPrefilter.Scan(view, bucket.Sources, out stamps, out generation);
        }
        foreach (var rule in bucket.Rules)
        {
            if (stamps is not null && (gated is null || gated[rule.Index]) && stamps[rule.Index] != generation) continue;
            if (rule.Node.Eval(view))
            {
                Correlations?.Record(rule, view, record.Time, record.Str(Field.ServerHost) ?? record.File.Host, record.File.RelativePath, record.Line, null, context);
                if (!rule.Rule.Generates) continue;
                var details = new Dictionary<string, string> { ["sigma"] = rule.Rule.Path };
                var evidence = Evidence(rule, view, details);
                context.Add(WebHit.Make(record, rule.Info, Outcome.Unknown, $"{WebHit.Request(record)} — {evidence}", details: details));
            }
        }
    }

    /// <summary>"Title: Field=value; ..." for the fields the rule reads that the record has (only built on a hit).</summary>
    private static string Evidence(CompiledSigmaRule rule, IFieldSource view, Dictionary<string, string> details)
    {
        var parts = new List<string>();
        foreach (var key in rule.Fields)
            if (view.TryGet(key, out var v) && !v.IsEmpty)
            {
                var value = Finding.Clip(v)!;
                details.TryAdd(key.Name, value);
                parts.Add($"{key.Name}={value}");
            }
        if (parts.Count == 0)
        {
            // Keyword rules name no field: the values they searched are the evidence.
            for (var i = 0; i < view.ValueCount && i < 16; i++)
                if (view.ValueAt(i) is { IsEmpty: false } v) parts.Add(v.ToString());
            return parts.Count == 0 ? rule.Info.Title : $"{rule.Info.Title}: {string.Join(" | ", parts)}";
        }
        return $"{rule.Info.Title}: {string.Join("; ", parts)}";
    }

    /// <summary>Line needles for a group of webserver rules: each rule's necessary literals as raw-line runs
    /// (<see cref="StringMatcher.RawRun"/>; the most selective of an AND, judged by what is common in Exchange and IIS
    /// logs), cut down to a few (<see cref="SigmaWebNeedles.Reduce"/>); null when one rule has none (regex only,
    /// negation only, values without a run of 3 characters).</summary>
    internal static IReadOnlyList<string>? WebNeedlesOf(CompiledSigmaRule rule) => WebNeedles([rule]);

    private static IReadOnlyList<string>? WebNeedles(List<CompiledSigmaRule> rules)
    {
        if (rules.Count == 0) return null;
        var all = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in rules)
        {
            if (SigmaNeeds.Of(r.Node, StringMatcher.RawRun, SigmaWebNeedles.Chance) is not { } need) return null;
            foreach (var item in need.Items) all.Add(item.Literal);
        }
        return SigmaWebNeedles.Reduce(all);
    }
}

/// <summary>A group of webserver rules as one log rule: with the union of their line needles, or (needles null) seeing
/// every line. Each line passed in goes only to the group's rules of its kind that own a needle it holds (<see cref="SigmaLineGate"/>),
/// or, without needles, whose field literals it holds.</summary>
internal sealed class SigmaWebRules(SigmaRuleSet owner, Dictionary<ArtifactKind, SigmaRuleSet.Bucket> byKind, IReadOnlyList<string>? needles,
    SigmaLineGate? gate) : ILogRule
{
    public bool HasRules => byKind.Count > 0;

    public bool Handles(ArtifactKind kind) => byKind.ContainsKey(kind);

    public IReadOnlyList<string>? LineNeedles => needles;

    public void Inspect(LogRecord record, ScanContext context)
    {
        if (byKind.TryGetValue(record.Kind, out var bucket)) owner.InspectWeb(record, bucket, context, gate);
    }
}
