using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>New-ManagementRoleAssignment of "Mailbox Import Export": ProxyShell granted itself the export right.</summary>
internal sealed class MailboxImportExportRoleRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-role-mailbox-import-export",
        "\"Mailbox Import Export\" role assigned", Severity.High,
        ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"], ["T1098"], "persistence", Proves.Weak, WithExploitation: Proves.Attempt);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call) return;
        if (!call.Cmdlet.Eq("New-ManagementRoleAssignment") || !call.Parameters.Has("Mailbox Import Export")) return;
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            details: call.Details(CmdletCall.ParamValue(call.Parameters, "User") is { } who ? new() { ["assignee"] = who } : null)));
    }
}

/// <summary>New-ExchangeCertificate -RequestFile into a served folder or as a page: ProxyShell's certificate-request shell.</summary>
internal sealed class CertificateRequestWebShellRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-cert-request-webshell",
        "Certificate request written to a web page path (ProxyShell web-shell write)", Severity.Critical,
        ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"], ["T1505.003"], "persistence", Proves.Attempt);

    private readonly string[] _webPath = EventIndicators.Get("webPathMarkers");
    private readonly string[] _pageExt = EventIndicators.Get("pageExtensions");

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call || !call.Cmdlet.Eq("New-ExchangeCertificate")) return;
        var path = CmdletCall.ParamValue(call.Parameters, "RequestFile");
        if (path is null || !(path.EndsWithAny(_pageExt) || path.HasAny(_webPath) || path.Has("C$"))) return;
        context.FileWrites.Enqueue(new FileWriteClaim(path, origin.Artifact, null, origin.Record, evt.TimeCreated, null, Info.Id,
            $"New-ExchangeCertificate -RequestFile ({(call.Outcome == Outcome.Succeeded ? "succeeded" : "cmdlet failed")})"));
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            details: call.Details(new() { ["requestFile"] = Finding.Clip(path)! })));
    }
}

/// <summary>Install-TransportAgent: a transport agent sees every message (persistence used by several actors).</summary>
internal sealed class TransportAgentInstallRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-transport-agent-install",
        "Exchange transport agent installed", Severity.Medium, [], ["T1505.002"], "persistence", Proves.Weak);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call || !call.Cmdlet.Eq("Install-TransportAgent")) return;
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            details: call.Details(CmdletCall.ParamValue(call.Parameters, "AssemblyPath") is { } dll ? new() { ["assemblyPath"] = dll } : null)));
    }
}

/// <summary>CVE-2021-42321: Get-App failing, or the task throwing InvalidCastException (the deserialization gadget's cast).</summary>
internal sealed class GetAppInvalidCastRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-42321-get-app",
        "Get-App failed with the CVE-2021-42321 exploitation shape", Severity.High,
        ["CVE-2021-42321"], ["T1190"], "initial-access", Proves.Attempt);

    public IReadOnlyList<int>? EventIds { get; } = [6, 8];
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (evt.EventId is not (6 or 8) || !CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call) return;
        var hit = evt.EventId == 6
            ? call.Cmdlet.Eq("Get-App")
            : (call.Cmdlet.Eq("Get-App") || call.Error.Has("Task Get-App ")) && call.Error.Has("System.InvalidCastException");
        if (!hit) return;
        context.Add(EventFindings.Make(Info, evt, origin, call.Cmdlet.Length > 0 ? call.ToString() : call.Error, Outcome.Unknown, user: call.User,
            details: call.Details()));
    }
}
