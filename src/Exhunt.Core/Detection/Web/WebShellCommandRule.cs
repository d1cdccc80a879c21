using System.Buffers;
using Exhunt.Data;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>
/// Shell commands in the query string of a request for a server page (.aspx, .ashx ...): a GET-driven web shell at
/// work (Data/web/webshell-query-commands.txt). A scanner can send the same to any page, so alone it is weak; once
/// exploitation is seen elsewhere a page that answered 200 to it is a working shell.
/// </summary>
internal sealed class WebShellCommandRule : ILogRule
{
    public static readonly RuleInfo Info = new("web-webshell-command-query",
        "Shell command in a page request's query string (web shell use)",
        Severity.High, [], ["T1505.003", "T1059.003"], "execution", Proves.Weak, Proves.Compromise);

    private static readonly string[] PageExtensions = [".aspx", ".ashx", ".asmx", ".asp", ".php", ".jsp"];
    private readonly string[] _commands = DataFiles.ReadLines("web/webshell-query-commands.txt").ToArray();

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.Iis or ArtifactKind.HttpProxy;

    /// <summary>A run of each command, or one of its escapes (the query is decoded, '+' as space, before matching).</summary>
    public IReadOnlyList<string>? LineNeedles => Needles.Decoded(_commands.Select(Needles.RunOf).ToArray()).ToArray();

    public void Inspect(LogRecord record, ScanContext context)
    {
        var query = record[Field.UrlQuery];
        if (query.Length < 6) return;
        var stem = record[Field.UrlStem];
        var page = false;
        foreach (var e in PageExtensions) if (WebText.Ends(stem, e)) { page = true; break; }
        if (!page) return;
        char[]? rented = null;
        var needs = WebText.NeedsDecoding(query, plusIsSpace: true);
        Span<char> buffer = !needs ? default
            : query.Length <= 512 ? stackalloc char[query.Length] : (rented = ArrayPool<char>.Shared.Rent(query.Length));
        ReadOnlySpan<char> decoded = needs ? buffer[..WebText.Decode(query, buffer, plusIsSpace: true)] : query;
        try
        {
            foreach (var command in _commands)
            {
                if (!WebText.Has(decoded, command)) continue;
                var outcome = HttpOutcome.Strict(HttpOutcome.Status(record));
                context.Add(WebHit.Make(record, Info, outcome, WebHit.Request(record),
                    details: new Dictionary<string, string> { ["command"] = command }));
                return;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }
}
