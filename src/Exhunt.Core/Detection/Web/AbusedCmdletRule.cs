using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// Exchange cmdlets abused after ProxyShell/ProxyLogon, read from ECP Server/Activity logs (<c>S:CMD</c>) and Rps
/// Cmdlet logs (Cmdlet + Parameters): a mailbox export or certificate request written to a page or web folder (the
/// file is the web shell), the "Mailbox Import Export" role grant that allows the export, and the export request's
/// removal afterwards. An export onto the server's own disk through an admin share (HAFNIUM staged PSTs in
/// ProgramData) is weak alone; ordinary exports to a file share are context only: admins do both.
/// Same keywords as the Sigma msexchange-management rules (516376b4, b7bc7038, 09570ae5), on these logs instead.
/// </summary>
internal sealed class AbusedCmdletRule : ILogRule
{
    // Only the export-to-page write is a CVE (CVE-2021-31207, ProxyShell's file write); the rest is cmdlet abuse by
    // whoever holds admin rights, after any entry, so it names no CVE.

    public static readonly RuleInfo ExportToWeb = new("exch-cmdlet-export-to-webpath",
        "Mailbox exported to a web page or web folder (ProxyShell web-shell drop)",
        Severity.Critical, ["CVE-2021-31207"], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo Export = new("exch-cmdlet-mailbox-export",
        "Mailbox export request",
        Severity.Info, [], ["T1114.002"], "collection", Proves.Context, Proves.Weak);

    public static readonly RuleInfo ExportToServerDisk = new("exch-cmdlet-export-to-server-disk",
        "Mailbox exported onto the Exchange server's own disk through an admin share",
        Severity.Medium, [], ["T1114.002", "T1074.001"], "collection", Proves.Weak, Proves.Attempt);

    public static readonly RuleInfo CertToWeb = new("exch-cmdlet-cert-request-webpath",
        "Certificate request file written to a web page or web folder (ProxyShell web-shell drop)",
        Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo ImportExportRole = new("exch-cmdlet-import-export-role",
        "\"Mailbox Import Export\" role assigned",
        Severity.Medium, [], ["T1098"], "privilege-escalation", Proves.Weak, Proves.Attempt);

    public static readonly RuleInfo RemoveExport = new("exch-cmdlet-remove-export",
        "Mailbox export request removed (clean-up after an export)",
        Severity.Low, [], ["T1070"], "defense-evasion", Proves.Weak);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.EcpServer or ArtifactKind.EcpActivity or ArtifactKind.RpsCmdlet;

    /// <summary>Every finding needs one of the four cmdlet names, compared whole, in the Cmdlet column or after CMD=.</summary>
    public IReadOnlyList<string>? LineNeedles { get; } =
        ["New-MailboxExportRequest", "New-ExchangeCertificate", "New-ManagementRoleAssignment", "Remove-MailboxExportRequest"];

    public void Inspect(LogRecord record, ScanContext context)
    {
        ReadOnlySpan<char> cmdlet;
        string? ecpCommand = null;
        if (record.Kind == ArtifactKind.RpsCmdlet) cmdlet = record[Field.Cmdlet];
        else
        {
            var data = record[Field.EventData];
            if (data.IsEmpty) data = record.Raw;
            cmdlet = CmdletAfterCmd(data);
            if (!Interesting(cmdlet)) return;
            ecpCommand = EcpBagReader.Command(data);
            if (ecpCommand is null) return;
            var dot = ecpCommand.IndexOf('.');
            cmdlet = dot < 0 ? ecpCommand : ecpCommand.AsSpan(0, dot);
        }
        if (!Interesting(cmdlet)) return;
        var parameters = ecpCommand is null ? record[Field.Parameters]
            : ecpCommand.AsSpan(Math.Min(ecpCommand.Length, cmdlet.Length + 1));
        var evidence = string.Concat(cmdlet, " ", parameters);
        var outcome = CmdletOutcome.Of(record);

        if (WebText.Is(cmdlet, "New-MailboxExportRequest"))
        {
            var path = ClaimedPaths.ValueAfter(parameters, "FilePath");
            var rule = path is null ? Export
                : WebWriteTargets.IsWebTarget(path) ? ExportToWeb
                : WebWriteTargets.IsAdminShare(path) ? ExportToServerDisk
                : Export;
            context.Add(WebHit.Make(record, rule, outcome, evidence, details: PathDetails(path)));
            if (rule != Export && outcome != Outcome.Failed) WebHit.ClaimWrite(context, record, path!, rule.Id, "mailbox export file");
        }
        else if (WebText.Is(cmdlet, "New-ExchangeCertificate"))
        {
            // Sigma b7bc7038: a web path or .aspx, or a loopback admin share (\\localhost\C$, \\127.0.0.1\C$).
            var path = ClaimedPaths.ValueAfter(parameters, "RequestFile");
            if (path is null || !WebWriteTargets.IsWebTarget(path) && !WebWriteTargets.IsLoopbackShare(path)) return;
            context.Add(WebHit.Make(record, CertToWeb, outcome, evidence, details: PathDetails(path)));
            if (outcome != Outcome.Failed) WebHit.ClaimWrite(context, record, path, CertToWeb.Id, "certificate request file");
        }
        else if (WebText.Is(cmdlet, "New-ManagementRoleAssignment"))
        {
            if (WebText.Has(parameters, "Mailbox Import Export"))
                context.Add(WebHit.Make(record, ImportExportRole, outcome, evidence));
        }
        else if (WebText.Is(cmdlet, "Remove-MailboxExportRequest"))
            context.Add(WebHit.Make(record, RemoveExport, outcome, evidence));
    }

    private static bool Interesting(ReadOnlySpan<char> cmdlet) =>
        WebText.Is(cmdlet, "New-MailboxExportRequest") || WebText.Is(cmdlet, "New-ExchangeCertificate")
        || WebText.Is(cmdlet, "New-ManagementRoleAssignment") || WebText.Is(cmdlet, "Remove-MailboxExportRequest");

    /// <summary>The cmdlet name right after <c>CMD=</c> in an ECP bag, without parsing the rest (cheap prefilter).</summary>
    private static ReadOnlySpan<char> CmdletAfterCmd(ReadOnlySpan<char> data)
    {
        var i = data.IndexOf("CMD=", StringComparison.Ordinal);
        if (i < 0) return default;
        var rest = data[(i + 4)..];
        var end = rest.IndexOfAny('.', ';', '\'');
        return end < 0 ? rest : rest[..end];
    }

    private static Dictionary<string, string>? PathDetails(string? path) =>
        path is null ? null : new Dictionary<string, string> { ["path"] = path };
}
