using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// Remove-/New-OabVirtualDirectory: what the ECP "reset virtual directory" step of CVE-2021-27065 leaves in the
/// management log (the public PoC's run shows Set with script, then Remove, then New). Alone an admin task.
/// </summary>
internal sealed class OabVirtualDirectoryRecreatedRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-oab-vdir-recreated",
        "OAB virtual directory removed or recreated (CVE-2021-27065 reset step)", Severity.Medium,
        ["CVE-2021-27065"], ["T1505.003"], "persistence", Proves.Context, WithExploitation: Proves.Attempt);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call) return;
        if (!call.Cmdlet.Eq("Remove-OabVirtualDirectory") && !call.Cmdlet.Eq("New-OabVirtualDirectory")) return;
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            title: call.Cmdlet + " (OAB virtual directory reset step)", details: call.Details()));
    }
}
