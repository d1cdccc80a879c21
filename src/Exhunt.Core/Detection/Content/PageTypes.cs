using Exhunt.Data;

namespace Exhunt.Detection.Content;

/// <summary>How the content judge reads a file of a given type.</summary>
public enum PageLanguage { None, AspNet, Handler, Asp, Razor, Code, Script, Config, Other }

public sealed record PageType(string Extension, PageLanguage Language, bool IsPage, bool IsRequested);

/// <summary>The page and script types (Data/web/page-types.tsv), parsed once. Span based for the log hot path.</summary>
public static class PageTypes
{
    private static readonly Lazy<PageType[]> All = new(Load);
    private static readonly Lazy<PageType[]> PagesLazy = new(() => All.Value.Where(t => t.IsPage).ToArray());
    private static readonly Lazy<PageType[]> RequestedLazy = new(() => All.Value.Where(t => t.IsRequested).ToArray());

    public static IReadOnlyList<PageType> Types => All.Value;

    /// <summary>The type of a file or URL name by its extension, or null.</summary>
    public static PageType? Of(ReadOnlySpan<char> name)
    {
        foreach (var t in All.Value)
            if (name.EndsWith(t.Extension, StringComparison.OrdinalIgnoreCase)) return t;
        return null;
    }

    /// <summary>A server page for the location rules (page = yes).</summary>
    public static bool IsPage(ReadOnlySpan<char> name) => EndsWithAny(name, PagesLazy.Value);

    /// <summary>A request path whose extension runs server code (requested = yes).</summary>
    public static bool IsRequested(ReadOnlySpan<char> urlPath) => EndsWithAny(urlPath, RequestedLazy.Value);

    private static bool EndsWithAny(ReadOnlySpan<char> name, PageType[] types)
    {
        foreach (var t in types)
            if (name.EndsWith(t.Extension, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static PageType[] Load() => DataFiles.ReadLines("web/page-types.tsv")
        .Select(l => l.Split('\t'))
        .Select(c => c.Length >= 4 && c[0].StartsWith('.')
            ? new PageType(c[0].Trim().ToLowerInvariant(), Language(c[1].Trim()), c[2].Trim() == "yes", c[3].Trim() == "yes")
            : throw new InvalidDataException($"web/page-types.tsv: bad row '{string.Join(' ', c)}'"))
        // Longest first so ".aspx" is never taken for ".asp"-something shorter.
        .OrderByDescending(t => t.Extension.Length).ToArray();

    private static PageLanguage Language(string s) => s switch
    {
        "aspnet" => PageLanguage.AspNet, "handler" => PageLanguage.Handler, "asp" => PageLanguage.Asp,
        "razor" => PageLanguage.Razor, "code" => PageLanguage.Code, "script" => PageLanguage.Script,
        "config" => PageLanguage.Config, "other" => PageLanguage.Other,
        _ => throw new InvalidDataException($"web/page-types.tsv: unknown language '{s}'"),
    };
}
