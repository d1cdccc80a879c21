using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>Defender detections (1116 found, 1117 acted) whose threat name is one the HAFNIUM campaign produced.</summary>
internal abstract class DefenderThreatRule(RuleInfo info, string listName) : IEventRule
{
    private readonly string[] _names = EventIndicators.Get(listName);

    /// <summary>The rule weight for a detection at <paramref name="path"/> (default: the rule's own).</summary>
    protected virtual RuleInfo For(string? path) => info;

    public IReadOnlyList<int>? EventIds { get; } = [1116, 1117];
    public IReadOnlyList<string>? Channels => EventKinds.DefenderChannels;
    public IReadOnlyList<string>? Providers => EventKinds.DefenderProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (evt.EventId is not (1116 or 1117) || !EventKinds.IsDefender(evt)) return;
        // "Threat Name", "Action Name" ... are found under the names without the space (EventFields).
        var f = EventFields.Of(evt);
        var hasThreat = f.TryGet(EventFields.ThreatName, out var threatName);
        var hit = hasThreat ? threatName.FirstOf(_names) : FirstInData(evt);
        if (hit is null) return;
        var threat = hasThreat ? threatName.ToString() : null;
        var path = f.Str(EventFields.Path);
        var action = f.Str(EventFields.ActionName);
        var rule = For(path);
        context.Add(EventFindings.Make(rule, evt, origin,
            threat is null ? evt.DataText() : $"{threat} {path}".Trim(),
            user: f.Str(EventFields.DetectionUser),
            title: $"{rule.Title}: {threat ?? hit}" + (evt.EventId == 1117 && action is not null ? $" ({action})" : ""),
            details: new() { ["threat"] = threat ?? hit, ["path"] = Finding.Clip(path) ?? "", ["process"] = f.Str(EventFields.ProcessName) ?? "" }));
    }

    private string? FirstInData(WinEvent evt)
    {
        foreach (var (_, v) in evt.Data)
            if (v.FirstOf(_names) is { } n) return n;
        return null;
    }
}

/// <summary>
/// A web shell Defender found in a folder IIS serves for Exchange is one planted there; one found elsewhere (a
/// download, a test kit such as AtomicRedTeam's shells folder) is weak until exploitation shows on the host.
/// </summary>
internal sealed class DefenderWebShellRule() : DefenderThreatRule(Info, "defenderWebShellThreats")
{
    public static readonly RuleInfo Info = new("evt-defender-webshell",
        "Defender detected a web shell", Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo OutsideWebFolderInfo = Info with
    {
        Id = "evt-defender-webshell-unserved", Title = "Defender detected a web-shell file outside the served web folders",
        Severity = Severity.High, Implies = Proves.Weak, WithExploitation = Proves.Compromise,
    };

    private readonly string[] _webFolders = EventIndicators.Get("webShellFolders");

    protected override RuleInfo For(string? path) => path.HasAny(_webFolders) ? Info : OutsideWebFolderInfo;
}

internal sealed class DefenderExchangeExploitRule() : DefenderThreatRule(Info, "defenderExploitThreats")
{
    public static readonly RuleInfo Info = new("evt-defender-exchange-exploit",
        "Defender detected Exchange exploitation (Exmann)", Severity.High, [], ["T1190"], "initial-access", Proves.Attempt);
}

internal sealed class DefenderLsassDumpRule() : DefenderThreatRule(Info, "defenderLsassThreats")
{
    public static readonly RuleInfo Info = new("evt-defender-lsass-dump",
        "Defender detected LSASS dumping", Severity.High, [], ["T1003.001"], "credential-access", Proves.Context, WithExploitation: Proves.Compromise);
}
