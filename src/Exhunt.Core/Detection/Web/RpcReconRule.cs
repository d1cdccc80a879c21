using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// ProxyLogon reconnaissance on <c>/rpc/</c> (signature-base LOG_CVE_2021_27065_Exchange_Forensic_Artefacts_Mar21_2,
/// Praetorian reference): <c>GET /rpc/ &amp;CorrelationID=&lt;empty&gt;;&amp;RequestId=...</c> answered 200/301/302.
/// Outlook Anywhere itself uses <c>/rpc/rpcproxy.dll</c> with RPC_IN_DATA/RPC_OUT_DATA, not a bare GET of the folder.
/// </summary>
internal sealed class RpcReconRule : ILogRule
{
    public static readonly RuleInfo Info = new("iis-proxylogon-rpc-recon",
        "ProxyLogon reconnaissance: bare GET of /rpc/ (server name discovery)",
        Severity.Low, ["CVE-2021-26855"], ["T1595"], "reconnaissance", Proves.Weak);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.Iis;

    public IReadOnlyList<string>? LineNeedles { get; } = ["&CorrelationID=<empty>;&RequestId="];

    public void Inspect(LogRecord record, ScanContext context)
    {
        if (!WebText.Is(record[Field.UrlStem], "/rpc/") || !WebText.Is(record[Field.Method], "GET")) return;
        if (!WebText.Starts(record[Field.UrlQuery], "&CorrelationID=<empty>;&RequestId=")) return;
        var status = HttpOutcome.Status(record);
        if (status is not (200 or 301 or 302)) return;
        context.Add(WebHit.Make(record, Info, Outcome.Succeeded, WebHit.Request(record)));
    }
}
