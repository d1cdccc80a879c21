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

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!EventKinds.IsSysmon(evt, 11)) return;
        var path = evt.Get("TargetFilename");
        if (path is null || !path.EndsWith(@"\TransportRoles\Shared\agents.config", StringComparison.OrdinalIgnoreCase)) return;
        var image = evt.Get("Image");
        if (image.HasAny(_exchangeBin) || Text.IsImage(image, "w3wp.exe") || Text.IsImage(image, _installers)) return;
        context.Add(EventFindings.Make(Info, evt, origin, path, user: evt.Get("User"),
            title: $"agents.config written by {Text.FileName(image)}", details: new() { ["image"] = image ?? "", ["path"] = path }));
    }
}
