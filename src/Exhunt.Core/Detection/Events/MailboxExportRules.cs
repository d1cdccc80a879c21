using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>What a New-MailboxExportRequest wrote and where; shared by the two export rules.</summary>
internal static class MailboxExport
{
    private static readonly string[] WebPath = EventIndicators.Get("webPathMarkers");
    private static readonly string[] PageExt = EventIndicators.Get("pageExtensions");

    public static bool TryRead(WinEvent evt, out CmdletCall call, out string? path)
    {
        call = null!;
        path = null;
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } c || !c.Cmdlet.Eq("New-MailboxExportRequest")) return false;
        call = c;
        path = CmdletCall.ParamValue(c.Parameters, "FilePath");
        return true;
    }

    /// <summary>A PST written as a page or into a served folder / the server's own admin share (ProxyShell).</summary>
    public static bool IsWebShell(string? path) => path is not null && (path.EndsWithAny(PageExt) || path.HasAny(WebPath));

    public static void Claim(ScanContext context, CmdletCall call, string? path, WinEvent evt, EventOrigin origin, string ruleId)
    {
        if (string.IsNullOrWhiteSpace(path)) return;
        context.FileWrites.Enqueue(new FileWriteClaim(path, origin.Artifact, null, origin.Record, evt.TimeCreated, null, ruleId,
            $"{call.Cmdlet} -FilePath ({(call.Outcome == Outcome.Succeeded ? "request accepted" : "cmdlet failed")})"));
    }
}

/// <summary>ProxyShell's web-shell write: a mailbox exported as a PST whose path is a page in a served folder.</summary>
internal sealed class MailboxExportWebShellRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-mailbox-export-webshell",
        "Mailbox exported to a web page path (ProxyShell web-shell write)", Severity.Critical,
        ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"], ["T1505.003", "T1190"], "persistence", Proves.Attempt);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!MailboxExport.TryRead(evt, out var call, out var path) || !MailboxExport.IsWebShell(path)) return;
        MailboxExport.Claim(context, call, path, evt, origin, Info.Id);
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            details: call.Details(new() { ["filePath"] = Finding.Clip(path)! })));
    }
}

/// <summary>Any other mailbox export to a share: collection, or an admin task; listed for review.</summary>
internal sealed class MailboxExportRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-mailbox-export",
        "Mailbox exported to a file", Severity.Low, [], ["T1114.002"], "collection", Proves.Context);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!MailboxExport.TryRead(evt, out var call, out var path) || MailboxExport.IsWebShell(path)) return;
        MailboxExport.Claim(context, call, path, evt, origin, Info.Id);
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User,
            details: call.Details(path is null ? null : new() { ["filePath"] = Finding.Clip(path)! })));
    }
}

/// <summary>Remove-MailboxExportRequest: ProxyShell operators removed their export request to hide it.</summary>
internal sealed class MailboxExportRemovedRule : IEventRule
{
    public static readonly RuleInfo Info = new("evt-exch-mailbox-export-removed",
        "Mailbox export request removed (ProxyShell clean-up step)", Severity.Medium,
        ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"], ["T1070"], "defense-evasion", Proves.Context, WithExploitation: Proves.Weak);

    public IReadOnlyList<int>? EventIds => CmdletCall.EventIds;
    public IReadOnlyList<string>? Channels => CmdletCall.Channels;
    public IReadOnlyList<string>? Providers => CmdletCall.Providers;

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (!CmdletCall.IsManagementEvent(evt) || CmdletCall.Read(evt) is not { } call || !call.Cmdlet.Eq("Remove-MailboxExportRequest")) return;
        context.Add(EventFindings.Make(Info, evt, origin, call.ToString(), call.Outcome, user: call.User, details: call.Details()));
    }
}
