using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// Set-/New-*VirtualDirectory with script in ExternalUrl/InternalUrl: the first half of the CVE-2021-27065 web-shell
/// write (the shell is the URL; a reset of the directory then dumps its config into a page). Event 1 = it was set.
/// </summary>
internal sealed class VirtualDirectoryScriptRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-vdir-url-script",
        "Exchange virtual directory URL set to script (CVE-2021-27065 web-shell write)", Severity.Critical,
        ["CVE-2021-27065"], ["T1505.003", "T1190"], "persistence", Proves.Attempt);

    private readonly string[] _markers = EventIndicators.Get("urlScriptMarkers");

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call) return;
        var isVdir = call.Cmdlet.Length > 0
            ? call.Cmdlet.EndsWith("VirtualDirectory", StringComparison.OrdinalIgnoreCase)
              && (call.Cmdlet.StartsWith("Set-", StringComparison.OrdinalIgnoreCase) || call.Cmdlet.StartsWith("New-", StringComparison.OrdinalIgnoreCase))
            : call.Parameters.Has("VirtualDirectory");
        if (!isVdir || !call.Parameters.Has("Url") || !call.Parameters.HasAny(_markers)) return;
        var url = CmdletCall.ParamValue(call.Parameters, "ExternalUrl") ?? CmdletCall.ParamValue(call.Parameters, "InternalUrl");
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            title: $"{(call.Cmdlet.Length > 0 ? call.Cmdlet : "VirtualDirectory cmdlet")} put script into a URL",
            details: call.Details(url is null ? null : new() { ["url"] = Finding.Clip(url)! })));
    }
}
