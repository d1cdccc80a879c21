using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Files;

/// <summary>
/// A file named like a server page whose bytes are a mailbox export (PST magic "!BDN": ProxyShell
/// New-MailboxExportRequest -FilePath …\x.aspx) or a certificate request (DER 0x30 0x82 or a PEM request:
/// New-ExchangeCertificate -GenerateRequest -RequestFile …\x.aspx). Exchange never writes either as a page; the
/// attacker does, to smuggle script into a web folder. Compromise wherever it lies.
/// </summary>
public sealed class DisguisedPageRule : IFileRule
{
    private static readonly string[] ProxyShell = ["CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207"];

    public static readonly RuleInfo PstPage = new("file-pst-as-page", "Mailbox export (PST) written as a server page",
        Severity.Critical, ProxyShell, ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo CertRequestPage = new("file-certreq-as-page", "Certificate request written as a server page",
        Severity.Critical, ProxyShell, ["T1505.003"], "persistence", Proves.Compromise);

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.WebPage or ArtifactKind.Unrecognised or ArtifactKind.Pst;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        if (!WebShellFolders.IsPage(file.FileName)) return;
        RuleInfo? rule = null;
        string? what = null;
        if (head.StartsWith("!BDN"u8)) (rule, what) = (PstPage, "PST (!BDN)");
        else if (head.Length >= 4 && head[0] == 0x30 && head[1] == 0x82) (rule, what) = (CertRequestPage, "DER (0x30 0x82)");
        else if (StartsWithPemRequest(head)) (rule, what) = (CertRequestPage, "PEM certificate request");
        if (rule is null) return;
        var details = FileDetails.Of(file, sha256);
        details["content"] = what!;
        context.Add(new Finding
        {
            Rule = rule,
            Title = $"{rule.Title}: {file.FileName}",
            Artifact = file.RelativePath,
            Details = details,
        });
    }

    private static bool StartsWithPemRequest(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..];
        return head.StartsWith("-----BEGIN NEW CERTIFICATE REQUEST-----"u8) || head.StartsWith("-----BEGIN CERTIFICATE REQUEST-----"u8);
    }
}
