using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Files;

/// <summary>
/// A server page (.aspx, .ashx, .asmx ...) in a folder where web shells were dropped — FrontEnd\HttpProxy\owa\auth\
/// (and its Current\ and build folders), ecp\auth\, inetpub\wwwroot\aspnet_client\ — that a standard Exchange install
/// does not put there (Data/stock/webshell-folders.tsv). Microsoft's guidance treats every such file as a web-shell
/// candidate; customised logon pages and some MFA add-ons also live there, so alone it is weak, and compromise once
/// exploitation is evidenced. Page content is not judged here.
/// </summary>
public sealed class NonStockPageRule : IFileRule
{
    public static readonly RuleInfo Info = new("file-nonstock-page", "Server page that is not part of Exchange in a web-shell folder",
        Severity.High, [], ["T1505.003"], "persistence", Proves.Weak, WithExploitation: Proves.Compromise);

    public bool Handles(ArtifactKind kind) => kind == ArtifactKind.WebPage;

    public void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context)
    {
        var head = content.Head.Span;
        var sha256 = content.Sha256;
        if (!WebShellFolders.IsPage(file.FileName)) return;
        var hit = WebShellFolders.Locate(EvidencePath.Normalise(file.RelativePath));
        if (!hit.IsShellFolder || hit.Stock) return;
        var details = FileDetails.Of(file, sha256);
        details["folder"] = hit.Folder.ToString();
        context.Add(new Finding
        {
            Rule = Info,
            Title = $"Non-stock page in {Describe(hit.Folder)}: {file.FileName}",
            Artifact = file.RelativePath,
            Details = details,
        });
    }

    internal static string Describe(ShellFolder folder) => folder switch
    {
        ShellFolder.OwaAuth => @"owa\auth",
        ShellFolder.OwaAuthCurrent => @"owa\auth\Current",
        ShellFolder.OwaAuthVersion => @"an owa\auth build folder",
        ShellFolder.OwaAuthOther => @"a folder below owa\auth",
        ShellFolder.EcpAuth => @"ecp\auth",
        ShellFolder.AspnetClient => "aspnet_client",
        _ => "a web folder",
    };
}
