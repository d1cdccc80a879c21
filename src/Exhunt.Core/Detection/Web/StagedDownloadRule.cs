using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// A staged file fetched over the web: a request answered 200/206 for an archive, mailbox export or dump
/// (.zip .rar .7z .cab .pst .dmp) — how exports written to a web folder (aspnet_client, owa/auth) and zipped LSASS
/// dumps were taken out. Exchange serves none of these itself; scanners guessing /backup.zip get 404, which is not
/// reported. Alone it is a weak signal (a file someone put in a web folder); next to exploitation it is exfiltration.
/// </summary>
internal sealed class StagedDownloadRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-staged-file-download",
        "Staged archive, export or dump downloaded over the web (exfiltration)",
        Severity.High, [], ["T1048", "T1567"], "exfiltration", Proves.Weak, WithExploitation: Proves.Compromise);

    private static readonly string[] Extensions = [".zip", ".rar", ".7z", ".cab", ".pst", ".dmp"];

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>The stem is matched as logged (not decoded), so its extension is in the raw line.</summary>
    public IReadOnlyList<string>? LineNeedles => Extensions;

    public void Inspect(LogRecord record, ScanContext context)
    {
        var stem = record[Field.UrlStem];
        if (stem.IsEmpty || stem[0] != '/') return;
        var staged = false;
        foreach (var e in Extensions) if (WebText.Ends(stem, e)) { staged = true; break; }
        if (!staged) return;
        var method = record[Field.Method];
        if (!method.IsEmpty && !WebText.Is(method, "GET")) return;
        var status = HttpOutcome.Status(record);
        if (status is not (200 or 206)) return;
        context.Add(WebHit.Make(record, Info, Outcome.Succeeded, WebHit.Request(record),
            title: "Staged file downloaded over the web: " + stem.ToString()));
    }
}
