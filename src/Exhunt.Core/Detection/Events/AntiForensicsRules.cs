using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>IIS or Exchange log files deleted (Sysmon 23/26) or a delete command aimed at them: the evidence this tool reads.</summary>
internal sealed class LogFileDeletionRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-defense-log-deleted",
        "IIS or Exchange log files deleted", Severity.High, [], ["T1070.004"], "defense-evasion", Proves.Weak);

    private readonly string[] _folders = EventIndicators.Get("logFolders");
    private readonly string[] _verbs = EventIndicators.Get("deleteVerbs");
    private readonly string[] _exchangeBin = EventIndicators.Get("exchangeBinFolders");
    private static readonly string[] LogExt = [".log", ".txt"];
    private static readonly string[] Shells = ["cmd.exe", "powershell.exe", "pwsh.exe", "powershell_ise.exe"];

    /// <summary>Sysmon 23/26 (file deleted) and the process starts of <see cref="ProcessStart"/>.</summary>
    public IReadOnlyList<int>? EventIds { get; } = [23, 26, .. ProcessStart.EventIds];
    public IReadOnlyList<string>? Channels => EventKinds.SysmonOrSecurityChannels;
    public IReadOnlyList<string>? Providers => EventKinds.SysmonOrSecurityProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (EventKinds.IsSysmon(evt, 23) || EventKinds.IsSysmon(evt, 26))
        {
            var f = EventFields.Of(evt);
            var path = f.Get(EventFields.TargetFilename);
            if (!path.HasAny(_folders) || !path.EndsWithAny(LogExt)) return;
            // Exchange's own retention (its services, w3wp app pools) prunes its logs; IIS does not prune its own.
            var image = f.Get(EventFields.Image);
            if (!path.Has("\\inetpub\\logs\\") && (image.HasAny(_exchangeBin) || Text.IsImage(image, "w3wp.exe"))) return;
            context.Add(EventFindings.Make(Info, evt, origin, path.ToString(), user: f.Str(EventFields.User),
                title: $"Log file deleted by {Text.FileName(image)}", details: new() { ["image"] = image.ToString(), ["path"] = path.ToString() }));
            return;
        }
        if (!ProcessStart.TryRead(evt, out var p)) return;
        var cmd = p.CommandLine;
        if (!Text.IsImage(p.Image, Shells) || !cmd.HasAny(_folders) || !(" " + cmd.ToString()).HasAny(_verbs)) return;
        context.Add(EventFindings.Make(Info, evt, origin, cmd.ToString(), user: p.User, title: "Command deleting IIS/Exchange logs",
            details: new() { ["image"] = p.Image.ToString(), ["parentImage"] = p.ParentImage.ToString() }));
    }
}

/// <summary>An event log cleared: Security 1102 (audit log) or System 104 (any other log).</summary>
internal sealed class EventLogClearedRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-defense-eventlog-cleared",
        "Windows event log cleared", Severity.High, [], ["T1070.001"], "defense-evasion", Proves.Weak);

    public IReadOnlyList<int>? EventIds { get; } = [1102, 104];
    public IReadOnlyList<string>? Channels => EventKinds.SecurityChannels;
    public IReadOnlyList<string>? Providers { get; } = [EventKinds.EventlogProvider];

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        var security = evt.EventId == 1102 && (evt.Channel.Eq(EventKinds.SecurityChannel) || evt.Provider.Eq(EventKinds.EventlogProvider));
        var system = evt.EventId == 104 && evt.Provider.Eq(EventKinds.EventlogProvider);
        if (!security && !system) return;
        var f = EventFields.Of(evt);
        var user = ProcessStart.SubjectUser(f);
        var log = security ? "Security" : f.Str(EventFields.ClearedChannel) ?? "?";
        context.Add(EventFindings.Make(Info, evt, origin, $"{log} log cleared" + (user is null ? "" : " by " + user), user: user,
            title: $"{log} event log cleared"));
    }
}
