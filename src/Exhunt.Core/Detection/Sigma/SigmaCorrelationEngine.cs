using System.Globalization;
using System.Runtime.CompilerServices;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>A loaded correlation: the rule, what it reports as, and where its hits go.</summary>
internal sealed class CorrelationPlan
{
    public required SigmaCorrelation Rule { get; init; }
    /// <summary>Set once the levels of the rules it joins are known (a correlation without a level takes the highest).</summary>
    public RuleInfo Info { get; set; } = null!;
    /// <summary>Position in evaluation order (a chained correlation comes before the ones that join it).</summary>
    public int Index { get; set; }
    /// <summary>False when every correlation joining this one leaves <c>generate</c> off.</summary>
    public bool Generates { get; set; } = true;
    /// <summary>Correlations that join this one: where a hit goes, and which of this rule's group values each of
    /// their group-by fields (and value_count field) takes.</summary>
    public List<(CorrelationPlan Parent, int Position, int[] GroupFrom, int ValueFrom)> Parents { get; } = new();
}

/// <summary>Where a base rule's match goes: a correlation, the rule's position in it, and the fields to keep.</summary>
internal sealed record CorrelationFeed(CorrelationPlan Plan, int Position, FieldKey[] Group, FieldKey? Value);

/// <summary>
/// Runs Sigma correlation rules. During the scan, every match of a rule a correlation joins is kept as a compact
/// <see cref="CorrelationMatch"/> (time, host, record, group-by values) per scan; after every file was read (files
/// are read in parallel, so matches arrive out of time order) each correlation is evaluated once per host and group,
/// in time order (<see cref="SigmaCorrelationWindows"/>). A correlation never joins records of two hosts: the host is
/// always part of the group. Each hit is one finding (<c>sigma:&lt;id&gt;</c>) naming the records it joined.
/// <para>Memory caps (each overflow counted and reported in the scan's Sigma account, never silent): at most
/// <see cref="MaxMatchesPerGroup"/> matches per correlation, host and group (the oldest by time are evicted first),
/// at most <see cref="MaxMatchesPerCorrelation"/> per correlation and <see cref="MaxMatchesPerScan"/> in all (later
/// matches for new groups are dropped); group-by values longer than <see cref="MaxValueChars"/> are cut; a finding
/// lists at most <see cref="MaxRecordsListed"/> records with the total count.</para>
/// </summary>
public sealed class SigmaCorrelationEngine : ICorrelationRule
{
    public const int MaxMatchesPerGroup = 10_000;
    public const int MaxMatchesPerCorrelation = 100_000;
    public const int MaxMatchesPerScan = 500_000;
    public const int MaxValueChars = 256;
    public const int MaxRecordsListed = 50;
    private const int RecordsInEvidence = 8;

    private readonly List<CorrelationPlan> _plans;
    private readonly Dictionary<CompiledSigmaRule, CorrelationFeed[]> _feeds;
    private readonly ConditionalWeakTable<ScanContext, ScanState> _scans = new();

    internal SigmaCorrelationEngine(List<CorrelationPlan> plans, Dictionary<CompiledSigmaRule, CorrelationFeed[]> feeds)
    {
        _plans = plans;
        _feeds = feeds;
    }

    public int Count => _plans.Count;
    public IReadOnlyList<RuleInfo> Infos => _plans.Select(p => p.Info).ToList();

    /// <summary>What the correlations did in the scan of <paramref name="context"/> (null: no match reached any).</summary>
    public SigmaCorrelationStats? StatsFor(ScanContext context) => _scans.TryGetValue(context, out var s) ? s.Stats : null;

    /// <summary>Keeps a base-rule match for the correlations that join the rule (called on hits only).</summary>
    internal void Record(CompiledSigmaRule rule, IFieldSource view, DateTime? time, string? host, string artifact, long? line, long? record, ScanContext context)
    {
        if (!_feeds.TryGetValue(rule, out var feeds)) return;
        var scan = _scans.GetValue(context, _ => new ScanState(_plans.Count));
        foreach (var feed in feeds)
        {
            Interlocked.Increment(ref scan.Stats.BaseMatches);
            if (time is not { } t)
            {
                Interlocked.Increment(ref scan.Stats.Untimed);
                continue;
            }
            var group = new string?[feed.Group.Length];
            var complete = true;
            for (var i = 0; i < group.Length && complete; i++)
                complete = (group[i] = Value(view, feed.Group[i])) is not null;
            var value = feed.Value is { } vk ? Value(view, vk) : null;
            if (!complete || (feed.Value is not null && value is null))
            {
                Interlocked.Increment(ref scan.Stats.MissingField);
                continue;
            }
            scan.Add(feed.Plan.Index, new CorrelationMatch
            {
                Position = feed.Position, Time = t, Host = host, Artifact = artifact, Line = line, Record = record,
                Group = group, Value = value, Rule = rule.Info.Id,
            });
        }
    }

    private static string? Value(IFieldSource view, FieldKey key)
    {
        if (!view.TryGet(key, out var v) || v.IsEmpty) return null;
        return v.Length <= MaxValueChars ? v.ToString() : v[..MaxValueChars].ToString();
    }

    public void Run(CorrelationInput input, ScanContext context)
    {
        var scan = _scans.GetValue(context, _ => new ScanState(_plans.Count));
        foreach (var plan in _plans)
        {
            var matches = scan.Drain(plan.Index);
            var groups = new Dictionary<string, List<CorrelationMatch>>(StringComparer.Ordinal);
            foreach (var m in matches)
            {
                m.Host = HostName.Normalize(m.Host) ?? input.HostOf(m.Artifact);
                var key = GroupKey(m.Host, m.Group);
                if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<CorrelationMatch>();
                list.Add(m);
            }
            foreach (var key in groups.Keys.Order(StringComparer.Ordinal))
            {
                var list = groups[key];
                list.Sort(Chronological);
                foreach (var (members, count) in SigmaCorrelationWindows.Hits(list, plan.Rule))
                {
                    Interlocked.Increment(ref scan.Stats.Hits);
                    var records = members.SelectMany(m => m.Records()).Take(MaxRecordsListed).ToList();
                    var total = members.Sum(m => m.JoinedCount);
                    if (plan.Generates) context.Add(Finding(plan, members[0].Host!, members[0].Group, count, records, total, members[^1].Time));
                    foreach (var (parent, position, groupFrom, valueFrom) in plan.Parents)
                        scan.Add(parent.Index, new CorrelationMatch
                        {
                            Position = position, Time = members[^1].Time, Host = members[0].Host, Artifact = records[0].Artifact,
                            Line = records[0].Line, Record = records[0].Record,
                            Group = groupFrom.Select(i => members[0].Group[i]).ToArray(),
                            Value = valueFrom >= 0 ? members[0].Group[valueFrom] : null,
                            Rule = plan.Info.Id, Joined = records, JoinedCount = total,
                        });
                }
            }
        }
    }

    private static string GroupKey(string host, string?[] group) =>
        group.Length == 0 ? host : host + "\u001f" + string.Join("\u001f", group.Select(g => g!.Replace("\u001f", "\u001f\u001f", StringComparison.Ordinal)));

    private static int Chronological(CorrelationMatch a, CorrelationMatch b)
    {
        var c = a.Time.CompareTo(b.Time);
        if (c == 0) c = a.Position.CompareTo(b.Position);
        if (c == 0) c = string.CompareOrdinal(a.Artifact, b.Artifact);
        if (c == 0) c = Nullable.Compare(a.Line ?? a.Record, b.Line ?? b.Record);
        return c;
    }

    private static Finding Finding(CorrelationPlan plan, string host, string?[] group, long count, List<JoinedRecord> records, int total, DateTime last)
    {
        var rule = plan.Rule;
        var first = records[0];
        var metric = rule.Type switch
        {
            SigmaCorrelationType.EventCount => $"{count} events",
            SigmaCorrelationType.ValueCount => $"{count} distinct {rule.Field}",
            SigmaCorrelationType.Temporal => $"{count} of {rule.Rules.Count} rules",
            _ => $"{count} of {rule.Rules.Count} rules in order",
        };
        var groupText = string.Join(", ", rule.GroupBy.Select((g, i) => $"{g}={group[i]}"));
        var listed = string.Join(", ", records.Take(RecordsInEvidence));
        var more = total > RecordsInEvidence ? $" (+{total - RecordsInEvidence} more)" : "";
        var evidence = $"{plan.Info.Title}: {rule.TypeName} {metric} within {Span(rule.Timespan)} on {host}" +
            (groupText.Length > 0 ? $" ({groupText})" : "") + $"; {total} record(s): {listed}{more}";
        var details = new Dictionary<string, string>
        {
            ["sigma"] = rule.Path,
            ["correlation"] = rule.TypeName,
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
            ["records"] = total.ToString(CultureInfo.InvariantCulture),
            ["joined"] = string.Join("; ", records.Select(r => $"{r} {r.Rule} {Timestamps.ToIso(r.Time)}")) +
                (total > records.Count ? $"; +{total - records.Count} more" : ""),
            ["last"] = Timestamps.ToIso(last),
        };
        for (var i = 0; i < rule.GroupBy.Count; i++) details.TryAdd(rule.GroupBy[i], group[i] ?? "");
        return new Finding
        {
            Rule = plan.Info,
            Time = first.Time,
            Artifact = first.Artifact,
            Line = first.Line,
            Record = first.Line is null ? first.Record : null,
            Host = host,
            Evidence = Exhunt.Findings.Finding.Clip(evidence),
            Details = details,
        };
    }

    private static string Span(TimeSpan t) =>
        t.TotalSeconds < 60 ? $"{t.TotalSeconds:0}s" : t.TotalMinutes < 60 ? $"{t.TotalMinutes:0.#}m" : t.TotalHours < 48 ? $"{t.TotalHours:0.#}h" : $"{t.TotalDays:0.#}d";

    /// <summary>The matches one scan kept, per correlation and group, under the caps.</summary>
    private sealed class ScanState(int plans)
    {
        public readonly SigmaCorrelationStats Stats = new();
        private readonly Dictionary<string, PriorityQueue<CorrelationMatch, long>>[] _groups =
            Enumerable.Range(0, plans).Select(_ => new Dictionary<string, PriorityQueue<CorrelationMatch, long>>(StringComparer.Ordinal)).ToArray();
        private readonly int[] _kept = new int[plans];
        private int _keptAll;

        public void Add(int plan, CorrelationMatch m)
        {
            // The host as recorded (resolved only after the scan) is part of the key, so one host's flood cannot evict another's.
            var key = GroupKey(m.Host ?? "\0" + m.Artifact, m.Group);
            lock (_groups[plan])
            {
                if (_groups[plan].TryGetValue(key, out var q))
                {
                    q.Enqueue(m, m.Time.Ticks);
                    if (q.Count > MaxMatchesPerGroup || _kept[plan] >= MaxMatchesPerCorrelation || Volatile.Read(ref _keptAll) >= MaxMatchesPerScan)
                    {
                        q.Dequeue();
                        Interlocked.Increment(ref Stats.Evicted);
                    }
                    else Count(plan);
                    return;
                }
                if (_kept[plan] >= MaxMatchesPerCorrelation || Volatile.Read(ref _keptAll) >= MaxMatchesPerScan)
                {
                    Interlocked.Increment(ref Stats.Dropped);
                    return;
                }
                q = new PriorityQueue<CorrelationMatch, long>();
                q.Enqueue(m, m.Time.Ticks);
                _groups[plan][key] = q;
                Count(plan);
            }
        }

        private void Count(int plan)
        {
            _kept[plan]++;
            Interlocked.Increment(ref _keptAll);
        }

        public List<CorrelationMatch> Drain(int plan)
        {
            lock (_groups[plan])
            {
                var all = _groups[plan].Values.SelectMany(q => q.UnorderedItems.Select(x => x.Element)).ToList();
                _groups[plan].Clear();
                Interlocked.Add(ref _keptAll, -_kept[plan]);
                _kept[plan] = 0;
                return all;
            }
        }
    }
}

/// <summary>What Sigma correlations did in one scan: matches kept for them, matches they could not use, and hits.</summary>
public sealed class SigmaCorrelationStats
{
    /// <summary>Matches of rules that correlations join (one per correlation that joins the rule).</summary>
    public long BaseMatches;
    /// <summary>Matches without a time: no timespan can hold them.</summary>
    public long Untimed;
    /// <summary>Matches whose record lacks a group-by field (or the value_count field): no group can hold them.</summary>
    public long MissingField;
    /// <summary>Matches evicted (oldest first) from a group beyond <see cref="SigmaCorrelationEngine.MaxMatchesPerGroup"/>.</summary>
    public long Evicted;
    /// <summary>Matches not kept beyond the per-correlation or per-scan cap.</summary>
    public long Dropped;
    public long Hits;
}
