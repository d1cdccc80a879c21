using System.Text;

namespace Exhunt.Detection.Content;

/// <summary>Statement splitting that knows string literals and comments (C-like or VB-like), bounded.</summary>
public static class CodeText
{
    public const int MaxStatements = 100_000;
    public const int MaxStatementChars = 4_000;

    public static List<string> Statements(string code, CodeDialect dialect)
    {
        var vb = dialect is CodeDialect.VbNet or CodeDialect.VbScript;
        var list = new List<string>();
        var cur = new StringBuilder();
        var i = 0;
        char quote = '\0';
        var verbatim = false;
        while (i < code.Length && list.Count < MaxStatements)
        {
            var c = code[i];
            if (quote != '\0')
            {
                cur.Append(c);
                if (!vb && !verbatim && c == '\\' && i + 1 < code.Length) { cur.Append(code[i + 1]); i += 2; continue; }
                if (c == quote)
                {
                    if ((vb || verbatim) && i + 1 < code.Length && code[i + 1] == quote) { cur.Append(quote); i += 2; continue; }
                    quote = '\0';
                }
                else if (c is '\n' && (vb || !verbatim)) quote = '\0'; // unterminated: do not swallow the page
                i++;
                continue;
            }
            if (c == '"' || (!vb && c == '\''))
            {
                verbatim = !vb && c == '"' && i > 0 && code[i - 1] == '@';
                quote = c;
                cur.Append(c);
                i++;
                continue;
            }
            if (vb && (c == '\'' || (c is 'R' or 'r' && IsRem(code, i))))
            {
                i = SkipLine(code, i);
                continue;
            }
            if (!vb && c == '/' && i + 1 < code.Length && code[i + 1] == '/') { i = SkipLine(code, i); continue; }
            if (!vb && c == '/' && i + 1 < code.Length && code[i + 1] == '*')
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? code.Length : end + 2;
                cur.Append(' ');
                continue;
            }
            var split = vb ? c is '\n' or ':' && !(c == '\n' && EndsWithContinuation(cur)) : c is ';' or '{' or '}';
            if (split || c == '\n' && !vb && cur.Length > MaxStatementChars)
            {
                Flush(cur, list);
                i++;
                continue;
            }
            if (cur.Length < MaxStatementChars * 4) cur.Append(c is '\r' or '\n' or '\t' ? ' ' : c);
            i++;
        }
        Flush(cur, list);
        return list;
    }

    private static bool EndsWithContinuation(StringBuilder sb)
    {
        var j = sb.Length - 1;
        while (j >= 0 && sb[j] is ' ' or '\r' or '\t') j--;
        return j >= 0 && sb[j] == '_';
    }

    private static bool IsRem(string code, int i) =>
        (i == 0 || !char.IsLetterOrDigit(code[i - 1])) && i + 3 < code.Length
        && code.AsSpan(i, 3).Equals("rem", StringComparison.OrdinalIgnoreCase) && code[i + 3] is ' ' or '\t';

    private static int SkipLine(string code, int i)
    {
        var nl = code.IndexOf('\n', i);
        return nl < 0 ? code.Length : nl;
    }

    private static void Flush(StringBuilder cur, List<string> list)
    {
        var s = cur.ToString().Trim().Trim(';').Trim();
        // Junk padding repeats one statement thousands of times: keep the first few of a run.
        if (s.Length > 0 && !(list.Count >= 2 && list[^1] == s && list[^2] == s)) list.Add(s.Length > MaxStatementChars ? s[..MaxStatementChars] : s);
        cur.Clear();
    }
}
