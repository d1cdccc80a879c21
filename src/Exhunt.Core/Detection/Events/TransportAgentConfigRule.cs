using Exhunt.Readers;
using Exhunt.Findings;

namespace Exhunt.Detection.Events;

/// <summary>
/// agents.config (the transport agent list) written by something other than Exchange itself: an agent added by hand,
/// bypassing Install-TransportAgent and its management-log event.
/// </summary>
internal sealed class TransportAgentConfigRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-file-transport-agents-config",
        "Exchange transport agent list (agents.config) edited outside Exchange", Severity.Medium,
        [], ["T1505.002"], "persistence", Proves.Weak);

    private readonly string[] _exchangeBin = EventIndicators.Get("exchangeBinFolders");
    private readonly string[] _installers = EventIndicators.Get("installerImages");

    public IReadOnlyList<int>? EventIds { get; } = [11];
    public IReadOnlyList<string>? Channels => EventKinds.SysmonChannels;
    public IReadOnlyList<string>? Providers => EventKinds.SysmonProviders;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!EventKinds.IsSysmon(evt, 11)) return;
        var f = EventFields.Of(evt);
        var path = f.Get(EventFields.TargetFilename);
        if (!path.EndsWith(@"\TransportRoles\Shared\agents.config", StringComparison.OrdinalIgnoreCase)) return;
        var image = f.Get(EventFields.Image);
        if (image.HasAny(_exchangeBin) || Text.IsImage(image, "w3wp.exe") || Text.IsImage(image, _installers)) return;
        context.Add(EventFindings.Make(Info, evt, origin, path.ToString(), user: f.Str(EventFields.User),
            title: $"agents.config written by {Text.FileName(image)}", details: new() { ["image"] = image.ToString(), ["path"] = path.ToString() }));
    }
}
