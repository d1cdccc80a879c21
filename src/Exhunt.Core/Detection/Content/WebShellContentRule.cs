using Exhunt.Detection.Files;
using Exhunt.Evidence;
using Exhunt.Findings;

namespace Exhunt.Detection.Content;

/// <summary>
/// Judges every page and script by what it does (see <see cref="ShellJudge"/>): any file of a page type
/// (Data/web/page-types.tsv) wherever it lies, any file whose first bytes look like a page whatever its name, pages
/// carried inside a PST or a certificate request saved under a page name, the OAB virtual-directory dump with script
/// in a URL property (CVE-2021-27065), and compiled pages (<see cref="CompiledPage"/>). Reads at most
/// <see cref="FileContent.MaxBytes"/> of a file; a larger one is judged on its start and says so.
/// </summary>
public sealed class WebShellContentRule : IFileRule
{
    private static readonly string[] T1505 = ["T1505.003"];

    public static readonly RuleInfo Shell = new("content-webshell", "Server page is a web shell (judged by content)",
        Severity.Critical, [], T1505, "persistence", Proves.Compromise);

    public static readonly RuleInfo Likely = new("content-webshell-likely", "Server page looks like a web shell (judged by content)",
        Severity.Medium, [], T1505, "persistence", Proves.Weak, WithExploitation: Proves.Compromise);

    public static readonly RuleInfo Risky = new("content-page-risky", "Server page with shell-like capabilities in an Exchange or web-shell folder",
        Severity.Low, [], T1505, "persistence", Proves.Context);

    public static readonly RuleInfo OabDump = new("content-oab-dump-script", "OAB virtual-directory dump carrying server script in a URL (CVE-2021-27065 web shell)",
        Severity.Critical, ["CVE-2021-26858", "CVE-2021-27065"], T1505, "persistence", Proves.Compromise);

    public static readonly RuleInfo Compiled = new("content-compiled-webshell", "Compiled page (App_Web/App_Code assembly) is a web shell",
        Severity.Critical, [], T1505, "persistence", Proves.Compromise);

    public static readonly RuleInfo CompiledLikely = new("content-compiled-webshell-likely", "Compiled page (App_Web/App_Code assembly) looks like a web shell",
        Severity.Medium, [], T1505, "persistence", Proves.Weak, WithExploitation: Proves.Compromise);

    /// <summary>Shell code in a file a web server would not run: not a page type and outside every web root (a staged
    /// copy, a tool's payload, a write-up quoting one). Worth a look, not proof that a shell was implanted.</summary>
    public static readonly RuleInfo Unserved = new("content-webshell-unserved", "Web shell code in a file no web server runs as a page (not a page type, outside a web root)",
        Severity.Medium, [], T1505, "persistence", Proves.Weak);

    /// <summary>The rules whose findings are web shells judged by content (the "who used it" correlation links them).</summary>
    public static readonly IReadOnlySet<string> ShellRuleIds = new HashSet<string>(StringComparer.Ordinal)
        { Shell.Id, Likely.Id, OabDump.Id, Compiled.Id, CompiledLikely.Id, Unserved.Id };

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.WebPage or ArtifactKind.Unrecognised or ArtifactKind.Pst
        or ArtifactKind.Executable or ArtifactKind.ExchangeLog;

    public int ContentWanted(EvidenceFile file, ReadOnlySpan<byte> head) => Plausible(file, head) ? FileContent.MaxBytes : 0;

    private static bool Plausible(EvidenceFile file, ReadOnlySpan<byte> head)
    {
        if (file.Kind == ArtifactKind.Executable)
            return CompiledPage.IsCandidate(EvidencePath.Normalise(file.RelativePath), file.FileName);
        var type = PageTypes.Of(file.FileName);
        if (type is not null) return type.Language != PageLanguage.Other;
        if (file.Kind == ArtifactKind.Pst) return ArtifactClassifier.IsWebRoot(EvidencePath.Normalise(file.RelativePath));
        return PageText.LooksLikePage(head);
    }

    public void Inspect(EvidenceFile file, FileContent content, ScanContext context)
    {
        if (content.Bytes.Length <= content.Head.Length && content.FileLength > content.Head.Length && !Plausible(file, content.Head.Span)) return;
        if (!Plausible(file, content.Head.Span)) return;
        if (file.Kind == ArtifactKind.Executable) { InspectCompiled(file, content, context); return; }

        var bytes = content.Bytes;
        var container = bytes.StartsWith("!BDN"u8) ? "PST (!BDN)"
            : bytes.Length > 4 && bytes[0] == 0x30 && bytes[1] == 0x82 ? "DER certificate request (30 82)"
            : bytes.StartsWith("-----BEGIN"u8) ? "PEM" : null;
        var text = PageText.Decode(bytes);
        // Classic ASP's <%@ codepage=65000 %> makes the engine read the page as UTF-7 (a known filter bypass).
        if (text.Contains("codepage=65000", StringComparison.OrdinalIgnoreCase) || text.Contains("codepage = 65000", StringComparison.OrdinalIgnoreCase))
        {
#pragma warning disable SYSLIB0001 // UTF-7 is exactly what the attacker chose
            text = System.Text.Encoding.UTF7.GetString(bytes);
#pragma warning restore SYSLIB0001
        }

        if (OabDumpScript(text) is { } oab)
        {
            Emit(file, content, context, OabDump, Severity.Critical, $"OAB configuration dump with script in a URL: {file.FileName}",
                [new Signal("oab-dump-script-url", Severity.Critical, oab)], null, container, Served(file, container));
            return;
        }

        var type = PageTypes.Of(file.FileName);
        var language = type?.Language ?? PageLanguage.AspNet;
        if (container is not null) language = PageLanguage.AspNet;
        if (language == PageLanguage.Script && !PageText.LooksLikePage(bytes[..Math.Min(bytes.Length, 1 << 20)])) return;
        if (language is PageLanguage.Script or PageLanguage.Config) language = PageLanguage.AspNet;

        try { Judge(file, content, context, text, language, type, container); }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            var details = FileDetails.Of(file, content.Sha256);
            details["why"] = "a pattern ran over its time budget on this page (pathological input); judge it by hand";
            context.Add(new Finding { Rule = Risky, Title = $"Page could not be judged in time: {file.FileName}", Artifact = file.RelativePath, Host = file.Host, Details = details });
        }
    }

    private static void Judge(EvidenceFile file, FileContent content, ScanContext context, string text, PageLanguage language, PageType? type, string? container)
    {
        var page = PageParser.Parse(text, language);
        if (type?.Extension == ".vb") page = page with { Dialect = CodeDialect.VbNet };
        // A page found by its bytes under another name, with no language declared: classic ASP's default, VBScript.
        if (type is null && !text.Contains("language", StringComparison.OrdinalIgnoreCase)) page = page with { Dialect = CodeDialect.VbScript };
        if (page.ServerCode.Length == 0 && !page.HasEncodedScript) return;
        var deob = Deobfuscator.Run(page.ServerCode);
        var facts = TaintAnalysis.Analyse(deob.Code, page.Dialect, page.ControlIds);
        var judgement = ShellJudge.Judge(page, deob, facts, page.ServerCode, sourceFile: type?.Language == PageLanguage.Code);
        var signals = judgement.Signals.ToList();
        var severity = judgement.Severity;
        if (container is not null && severity >= Severity.Medium)
        {
            signals.Insert(0, new Signal($"page-in-{(container.StartsWith("PST") ? "pst" : "certificate-request")}", Severity.Critical, container));
            severity = Severity.Critical;
        }

        var path = EvidencePath.Normalise(file.RelativePath);
        var exchangeOrShellFolder = WebShellFolders.Locate(path).IsShellFolder || path.Contains("httpproxy/", StringComparison.Ordinal)
            || path.Contains("clientaccess/", StringComparison.Ordinal) || path.Contains("aspnet_client/", StringComparison.Ordinal);
        var rule = severity >= Severity.High ? Shell : severity == Severity.Medium ? Likely : Risky;
        if (rule == Risky && (severity < Severity.Low || !exchangeOrShellFolder)) return;
        var title = rule == Shell ? $"Web shell by content ({judgement.Detectors}): {file.FileName}"
            : rule == Likely ? $"Page looks like a web shell ({judgement.Detectors}): {file.FileName}"
            : $"Page with shell-like capabilities ({judgement.Detectors}): {file.FileName}";
        Emit(file, content, context, rule, severity, title, signals, page, container, Served(file, container));
    }

    /// <summary>Whether a web server could run this file as a page: a page type by name, a page carried in a PST or
    /// certificate request (the ProxyShell/ProxyLogon delivery), or anything inside a web root (handler mappings and
    /// name tricks can make IIS run other names there).</summary>
    private static bool Served(EvidenceFile file, string? container) =>
        container is not null || PageTypes.Of(file.FileName) is not null || ArtifactClassifier.IsWebRoot(EvidencePath.Normalise(file.RelativePath));

    private static void InspectCompiled(EvidenceFile file, FileContent content, ScanContext context)
    {
        var facts = CompiledPage.Read(content.Bytes);
        if (facts is null) return;
        var judgement = CompiledPage.Judge(facts, content.FileLength);
        if (judgement.Severity < Severity.Medium) return;
        var rule = judgement.Severity >= Severity.High ? Compiled : CompiledLikely;
        Emit(file, content, context, rule, judgement.Severity, $"Compiled web shell ({judgement.Detectors}): {file.FileName}",
            judgement.Signals, null, null, served: true);
    }

    private static void Emit(EvidenceFile file, FileContent content, ScanContext context, RuleInfo rule, Severity severity, string title,
        IReadOnlyList<Signal> signals, ParsedPage? page, string? container, bool served)
    {
        var details = FileDetails.Of(file, content.Sha256);
        if (!served && rule != Risky)
        {
            details["not_served"] = $"judged {severity.ToWire()} as {rule.Id}, but it is not a page type and lies outside every web root, so no web server runs it";
            rule = Unserved;
            severity = severity > Severity.Medium ? Severity.Medium : severity;
            title = $"Web shell code in a file not served as a page: {file.FileName}";
        }
        var ordered = signals.OrderByDescending(s => s.Strength).ToList();
        details["detectors"] = string.Join(", ", ordered.Select(s => $"{s.Detector} ({s.Strength.ToWire()})").Distinct());
        for (var i = 0; i < Math.Min(ordered.Count, 6); i++)
            if (ordered[i].Snippet.Length > 0) details[$"signal_{i + 1}"] = $"{ordered[i].Detector}: {Short(ordered[i].Snippet, 160)}";
        if (page is not null)
        {
            details["language"] = page.Dialect.ToString();
            details["server_code_chars"] = page.ServerCode.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (container is not null) details["container"] = container;
        if (content.Truncated) details["judged_bytes"] = $"first {content.Bytes.Length:N0} of {content.FileLength:N0} bytes (cap {FileContent.MaxBytes:N0})";
        if (VirtualPath.Of(file.RelativePath) is { } url) details["url"] = url;
        context.Add(new Finding
        {
            Rule = rule,
            SeverityOverride = severity == rule.Severity ? null : severity,
            Title = title,
            Artifact = file.RelativePath,
            Host = file.Host,
            Evidence = Finding.Clip(Short(ordered[0].Snippet, Finding.MaxEvidenceChars)),
            Details = details,
        });
    }

    /// <summary>Single line, control characters shown as \xNN, clipped.</summary>
    private static string Short(string s, int max)
    {
        var sb = new System.Text.StringBuilder(Math.Min(s.Length, max + 8));
        foreach (var c in s)
        {
            if (sb.Length >= max) { sb.Append('…'); break; }
            if (c is '\r' or '\n' or '\t') sb.Append(' ');
            else if (char.IsControl(c)) sb.Append($"\\x{(int)c:X2}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The OAB virtual-directory dump (Set-OabVirtualDirectory -ExternalUrl "http://f/&lt;script …&gt;" then
    /// Reset-OabVirtualDirectory -Path …\x.aspx): an ExternalUrl/InternalUrl property line holding script.</summary>
    internal static string? OabDumpScript(string text)
    {
        foreach (var prop in (ReadOnlySpan<string>)["ExternalUrl", "InternalUrl"])
        {
            var at = 0;
            while ((at = text.IndexOf(prop, at, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                var eol = text.IndexOfAny(['\r', '\n'], at);
                var line = text[at..(eol < 0 ? text.Length : Math.Min(eol, at + 4000))];
                if (line.Contains("<script", StringComparison.OrdinalIgnoreCase) || line.Contains("<%", StringComparison.Ordinal)
                    || line.Contains("runat", StringComparison.OrdinalIgnoreCase))
                    return line.Length > 400 ? line[..400] : line;
                at += prop.Length;
            }
        }
        return null;
    }
}
