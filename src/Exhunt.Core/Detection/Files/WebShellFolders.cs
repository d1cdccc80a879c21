using Exhunt.Data;

namespace Exhunt.Detection.Files;

/// <summary>The folders web shells were dropped in (Microsoft HAFNIUM guidance, MSERT custom-scan paths).</summary>
public enum ShellFolder
{
    None,
    /// <summary>FrontEnd\HttpProxy\owa\auth\ (top level); URL /owa/auth/.</summary>
    OwaAuth,
    /// <summary>owa\auth\Current\ at any depth.</summary>
    OwaAuthCurrent,
    /// <summary>owa\auth\&lt;build&gt;\ (15.1.2106 ...) at any depth.</summary>
    OwaAuthVersion,
    /// <summary>Any other folder below owa\auth\.</summary>
    OwaAuthOther,
    /// <summary>FrontEnd\HttpProxy\ecp\auth\ and below; URL /ecp/auth/.</summary>
    EcpAuth,
    /// <summary>inetpub\wwwroot\aspnet_client\ and below; URL /aspnet_client/.</summary>
    AspnetClient,
}

public readonly record struct FolderHit(ShellFolder Folder, bool Stock)
{
    public bool IsShellFolder => Folder != ShellFolder.None;
}

/// <summary>
/// Says whether a '/'-separated path (a normalised collected path or a URL path) lies in a web-shell folder and
/// whether its file name is a page a standard Exchange install puts there (<c>Data/stock/webshell-folders.tsv</c>).
/// Span based: the log rules call it per request without allocating.
/// </summary>
public static class WebShellFolders
{
    private static readonly Lazy<Stock> StockLazy = new(Load);

    /// <summary>A server page by name (Data/web/page-types.tsv, page = yes).</summary>
    public static bool IsPage(ReadOnlySpan<char> name) => Content.PageTypes.IsPage(name);

    /// <summary>The request extensions IIS runs as ASP/ASP.NET code (the page-request rule's cheap prefilter;
    /// Data/web/page-types.tsv, requested = yes).</summary>
    public static bool IsRequestablePage(ReadOnlySpan<char> urlPath) => urlPath.Length >= 5 && Content.PageTypes.IsRequested(urlPath);

    /// <summary>
    /// A request path (IIS cs-uri-stem, HttpProxy UrlStem): the web-shell folder must be its leading segments, as IIS
    /// serves /owa and /ecp from FrontEnd\HttpProxy and /aspnet_client from the site root. Hot path: one character
    /// decides which prefix to compare.
    /// </summary>
    public static FolderHit LocateUrl(ReadOnlySpan<char> stem)
    {
        if (stem.Length < 2 || stem[0] != '/') return Locate(stem);
        var (prefix, folder) = (stem[1] | 0x20) switch
        {
            'o' => ("/owa/auth/", ShellFolder.OwaAuth),
            'e' => ("/ecp/auth/", ShellFolder.EcpAuth),
            'a' => ("/aspnet_client/", ShellFolder.AspnetClient),
            _ => ("", ShellFolder.None),
        };
        if (folder == ShellFolder.None || stem.Length <= prefix.Length || !stem.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return default;
        return Classify(folder, stem[prefix.Length..]);
    }

    /// <summary>A collected path or any '/'-separated path: the deepest web-shell folder in it.</summary>
    public static FolderHit Locate(ReadOnlySpan<char> path)
    {
        var best = ShellFolder.None;
        var bestAt = -1;
        var restAt = 0;
        Consider(path, "owa/auth/", ShellFolder.OwaAuth, ref best, ref bestAt, ref restAt);
        Consider(path, "ecp/auth/", ShellFolder.EcpAuth, ref best, ref bestAt, ref restAt);
        Consider(path, "aspnet_client/", ShellFolder.AspnetClient, ref best, ref bestAt, ref restAt);
        return best == ShellFolder.None ? default : Classify(best, path[restAt..]);
    }

    /// <summary>Judges what follows the folder marker: a name at the top level, or a subfolder.</summary>
    private static FolderHit Classify(ShellFolder folder, ReadOnlySpan<char> rest)
    {
        var slash = rest.IndexOf('/');
        var stock = StockLazy.Value;
        switch (folder)
        {
            case ShellFolder.AspnetClient:
                return new FolderHit(folder, false);
            case ShellFolder.EcpAuth:
                return new FolderHit(folder, slash < 0 && stock.EcpAuth.Contains(rest));
            default:
                if (slash < 0) return new FolderHit(ShellFolder.OwaAuth, stock.OwaAuth.Contains(rest));
                var first = rest[..slash];
                if (first.Equals("current", StringComparison.OrdinalIgnoreCase)) return new FolderHit(ShellFolder.OwaAuthCurrent, false);
                return new FolderHit(IsBuildFolder(first) ? ShellFolder.OwaAuthVersion : ShellFolder.OwaAuthOther, false);
        }
    }

    /// <summary>Takes the deepest occurrence of <paramref name="marker"/> that starts a path segment.</summary>
    private static void Consider(ReadOnlySpan<char> path, string marker, ShellFolder folder, ref ShellFolder best, ref int bestAt, ref int restAt)
    {
        var searchEnd = path.Length;
        while (searchEnd > 0)
        {
            var at = path[..searchEnd].LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at < 0) return;
            if (at == 0 || path[at - 1] == '/')
            {
                // The back end's ClientAccess\Owa tree is not the front-end auth folder web shells were dropped in.
                if (folder != ShellFolder.AspnetClient && PreviousSegment(path, at).Equals("clientaccess", StringComparison.OrdinalIgnoreCase))
                    return;
                if (at > bestAt && at + marker.Length < path.Length) { best = folder; bestAt = at; restAt = at + marker.Length; }
                return;
            }
            searchEnd = at;
        }
    }

    private static ReadOnlySpan<char> PreviousSegment(ReadOnlySpan<char> path, int at)
    {
        if (at < 2) return default;
        var before = path[..(at - 1)];
        return before[(before.LastIndexOf('/') + 1)..];
    }

    /// <summary>owa\auth\&lt;major.minor.build&gt;: 15.1.2106, 15.2.1748 (facts: 6-12 digits and dots).</summary>
    internal static bool IsBuildFolder(ReadOnlySpan<char> name)
    {
        if (name.Length is < 6 or > 12 || !name.Contains('.')) return false;
        foreach (var c in name) if (c is not (>= '0' and <= '9' or '.')) return false;
        return true;
    }

    private sealed class Stock
    {
        public required NameSet OwaAuth { get; init; }
        public required NameSet EcpAuth { get; init; }
    }

    private sealed class NameSet(IEnumerable<string> names)
    {
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup =
            new HashSet<string>(names, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

        public bool Contains(ReadOnlySpan<char> name) => _lookup.Contains(name);
    }

    private static Stock Load()
    {
        var rows = DataFiles.ReadLines("stock/webshell-folders.tsv").Select(l => l.Split('\t')).Where(c => c.Length >= 2)
            .Select(c => (Folder: c[0].Trim().ToLowerInvariant(), Name: c[1].Trim())).Where(r => r.Name != "-").ToList();
        return new Stock
        {
            OwaAuth = new NameSet(rows.Where(r => r.Folder == "owa/auth").Select(r => r.Name)),
            EcpAuth = new NameSet(rows.Where(r => r.Folder == "ecp/auth").Select(r => r.Name)),
        };
    }
}
