using System.Text;
using System.Text.RegularExpressions;

namespace Exhunt.Detection.Content;

/// <summary>The dialect server code is judged in: C-like (C#, JScript) or VB-like (VB.NET, VBScript).</summary>
public enum CodeDialect { CSharp, JScript, VbNet, VbScript }

/// <summary>What the judge needs of a page: its server code (markup and client script removed), the language,
/// the ids of server controls (their values are request data) and the directives.</summary>
public sealed record ParsedPage(string ServerCode, CodeDialect Dialect, IReadOnlyList<string> ControlIds,
    IReadOnlyList<string> Directives, bool HasEncodedScript, int MarkupChars);

/// <summary>
/// Splits a page into server code and the rest: <c>&lt;% %&gt;</c> and <c>&lt;%= %&gt;</c> blocks (not <c>&lt;%@</c>
/// directives, <c>&lt;%--</c> comments or <c>&lt;%#</c> data binding), <c>&lt;script runat="server"&gt;</c> bodies, and
/// — for handlers, services and source files — everything after the directive. HTML text and client script are not
/// server code, so a keyword there is never a sink.
/// </summary>
public static partial class PageParser
{
    /// <summary>Server code judged per page (2 M chars): beyond that the page is judged on its first part.</summary>
    public const int MaxCodeChars = 2_000_000;

    [GeneratedRegex(@"<script\b([^>]{0,400})>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ScriptOpen();

    [GeneratedRegex(@"\brunat\s*=\s*[""']?server", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RunatServer();

    [GeneratedRegex(@"\blanguage\s*=\s*[""']?([\w.#]+)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LanguageAttr();

    [GeneratedRegex(@"<(?:asp:\w+|input|textarea|select|button)\b[^>]{0,600}>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ControlTag();

    [GeneratedRegex(@"\bid\s*=\s*[""']?(\w+)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IdAttr();

    public static ParsedPage Parse(string text, PageLanguage language)
    {
        var code = new StringBuilder();
        var directives = new List<string>();
        var markup = 0;
        string? declared = null;

        if (language == PageLanguage.Code)
        {
            Append(code, text, 0, text.Length);
            return new ParsedPage(code.ToString(), Guess(text, null, language), [], [], false, 0);
        }

        var wholeFileIsCode = language == PageLanguage.Handler;
        var i = 0;
        var codeStartAfterDirective = -1;
        while (i < text.Length && code.Length < MaxCodeChars)
        {
            var lt = text.IndexOf('<', i);
            if (lt < 0) { markup += text.Length - i; break; }
            markup += lt - i;
            if (lt + 1 < text.Length && text[lt + 1] == '%')
            {
                var end = text.IndexOf("%>", lt + 2, StringComparison.Ordinal);
                var stop = end < 0 ? text.Length : end;
                var kind = lt + 2 < text.Length ? text[lt + 2] : ' ';
                if (kind == '@')
                {
                    var d = text[(lt + 3)..stop];
                    if (directives.Count < 64) directives.Add(d.Length > 400 ? d[..400] : d);
                    declared ??= LanguageAttr().Match(d) is { Success: true } m ? m.Groups[1].Value : null;
                    codeStartAfterDirective = end < 0 ? text.Length : end + 2;
                }
                else if (kind == '-' && lt + 3 < text.Length && text[lt + 3] == '-')
                {
                    var close = text.IndexOf("--%>", lt + 4, StringComparison.Ordinal);
                    i = close < 0 ? text.Length : close + 4;
                    continue;
                }
                else if (kind != '#')
                {
                    var from = lt + 2 + (kind is '=' or ':' ? 1 : 0);
                    if (!text.AsSpan(from, Math.Max(0, stop - from)).IsWhiteSpace())
                    {
                        if (kind is '=' or ':') code.Append("Response.Write(");
                        Append(code, text, from, stop);
                        code.Append(kind is '=' or ':' ? ")\n;\n" : "\n;\n");
                    }
                }
                i = end < 0 ? text.Length : end + 2;
                if (wholeFileIsCode && kind == '@') break;
                continue;
            }
            var open = ScriptOpen().Match(text, lt, Math.Min(text.Length - lt, 420));
            if (open.Success && open.Index == lt)
            {
                var close = text.IndexOf("</script", open.Index + open.Length, StringComparison.OrdinalIgnoreCase);
                var stop = close < 0 ? text.Length : close;
                if (RunatServer().IsMatch(open.Groups[1].Value))
                {
                    if (LanguageAttr().Match(open.Groups[1].Value) is { Success: true } m) declared ??= m.Groups[1].Value;
                    Append(code, text, open.Index + open.Length, stop);
                    code.Append("\n;\n");
                }
                else
                {
                    // Client script is not server code, but <% %> inside it still runs on the server.
                    markup += open.Length;
                    i = open.Index + open.Length;
                    continue;
                }
                i = close < 0 ? text.Length : close + 8;
                continue;
            }
            markup++;
            i = lt + 1;
        }

        if (wholeFileIsCode)
        {
            var from = Math.Max(0, codeStartAfterDirective);
            Append(code, text, from, text.Length);
        }
        else if (language == PageLanguage.Razor)
            Append(code, text, 0, text.Length);

        var controls = new List<string>();
        foreach (Match tag in ControlTag().Matches(text))
        {
            if (controls.Count >= 256) break;
            if (!RunatServer().IsMatch(tag.Value) && !tag.Value.StartsWith("<asp:", StringComparison.OrdinalIgnoreCase)) continue;
            if (IdAttr().Match(tag.Value) is { Success: true } id) controls.Add(id.Groups[1].Value);
        }
        var encoded = text.Contains("#@~^", StringComparison.Ordinal) || (declared?.Contains(".Encode", StringComparison.OrdinalIgnoreCase) ?? false);
        return new ParsedPage(code.ToString(), Guess(text, declared, language), controls.Distinct().ToList(), directives, encoded, markup);
    }

    private static void Append(StringBuilder code, string text, int from, int to)
    {
        var room = MaxCodeChars - code.Length;
        if (room <= 0) return;
        code.Append(text, from, Math.Min(to - from, room));
    }

    private static CodeDialect Guess(string text, string? declared, PageLanguage language)
    {
        var d = declared?.ToLowerInvariant() ?? "";
        if (d.StartsWith("js") || d.StartsWith("jscript") || d.StartsWith("javascript")) return CodeDialect.JScript;
        if (d.StartsWith("vbscript")) return CodeDialect.VbScript;
        if (d is "vb" or "visualbasic" or "vb.net") return CodeDialect.VbNet;
        if (d is "c#" or "cs" or "csharp") return CodeDialect.CSharp;
        if (language == PageLanguage.Asp) return CodeDialect.VbScript;
        if (language == PageLanguage.Razor) return text.Contains("@Code", StringComparison.Ordinal) ? CodeDialect.VbNet : CodeDialect.CSharp;
        return CodeDialect.CSharp;
    }
}
