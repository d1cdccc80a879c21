using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// An Exchange cmdlet run as the MSExchange Management log records it (provider MSExchange CmdletLogs):
/// event 1 = succeeded, 6 = failed, 8 = the task threw. EVTX keeps the values as one data blob of
/// <c>&lt;string&gt;</c> elements (cmdlet, parameters, user, SIDs, client, process ...); JSON exports often keep only
/// the rendered message "Cmdlet suceeded. Cmdlet X, parameters Y." (sic). Both are read.
/// </summary>
internal sealed class CmdletCall
{
    public string Cmdlet { get; private init; } = "";
    public string Parameters { get; private init; } = "";
    public string? User { get; private init; }
    /// <summary>The hosting process, e.g. "8372 w3wp#MSExchangePowerShellAppPool".</summary>
    public string? Process { get; private init; }
    public Outcome Outcome { get; private init; }
    public int EventId { get; private init; }

    public static bool IsManagementEvent(WinEvent e) =>
        e.EventId is 1 or 6 or 8 && (e.Channel.Eq("MSExchange Management") || e.Provider.Eq("MSExchange CmdletLogs"));

    public static CmdletCall? Read(WinEvent e)
    {
        if (!IsManagementEvent(e)) return null;
        var outcome = e.EventId == 1 ? Outcome.Succeeded : Outcome.Failed;
        foreach (var (_, value) in e.Data)
        {
            if (value.Contains("<string>", StringComparison.Ordinal)) return FromBlob(value, e.EventId, outcome);
            if (FromMessage(value, e.EventId, outcome) is { } call) return call;
        }
        return new CmdletCall { Parameters = e.DataText(), Outcome = outcome, EventId = e.EventId };
    }

    public override string ToString() => Parameters.Length == 0 ? Cmdlet : Cmdlet + " " + Parameters;

    private static CmdletCall FromBlob(string blob, int id, Outcome outcome)
    {
        var parts = new Range[8];
        var n = 0;
        var at = 0;
        while (n < parts.Length)
        {
            var open = blob.IndexOf("<string>", at, StringComparison.Ordinal);
            if (open < 0) break;
            var start = open + 8;
            var close = blob.IndexOf("</string>", start, StringComparison.Ordinal);
            if (close < 0) { parts[n++] = start..blob.Length; break; }
            parts[n++] = start..close;
            at = close + 9;
        }
        string Part(int i) => i < n ? blob[parts[i]].Trim() : "";
        return new CmdletCall
        {
            Cmdlet = Part(0), Parameters = Part(1), User = NullIfEmpty(Part(2)), Process = NullIfEmpty(Part(6)),
            Outcome = outcome, EventId = id,
        };
    }

    private static CmdletCall? FromMessage(string text, int id, Outcome outcome)
    {
        var s = text.AsSpan().TrimStart();
        if (s.StartsWith("Cmdlet suceeded.", StringComparison.OrdinalIgnoreCase) || s.StartsWith("Cmdlet succeeded.", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("Cmdlet failed.", StringComparison.OrdinalIgnoreCase))
        {
            var c = s.IndexOf(". Cmdlet ", StringComparison.OrdinalIgnoreCase);
            if (c < 0) return null;
            var rest = s[(c + 9)..];
            var comma = rest.IndexOf(',');
            var cmdlet = (comma < 0 ? rest : rest[..comma]).Trim();
            var parameters = ReadOnlySpan<char>.Empty;
            var p = rest.IndexOf("parameters ", StringComparison.OrdinalIgnoreCase);
            if (p >= 0)
            {
                parameters = rest[(p + 11)..].TrimEnd();
                var nl = parameters.IndexOfAny('\r', '\n');
                if (nl >= 0) parameters = parameters[..nl].TrimEnd();
                if (parameters.EndsWith(".")) parameters = parameters[..^1];
            }
            return new CmdletCall { Cmdlet = cmdlet.ToString(), Parameters = parameters.ToString(), Outcome = outcome, EventId = id };
        }
        if (s.StartsWith("Task ", StringComparison.OrdinalIgnoreCase))
        {
            var rest = s[5..];
            var sp = rest.IndexOf(' ');
            if (sp <= 0 || !rest[sp..].StartsWith(" throwing unhandled exception", StringComparison.OrdinalIgnoreCase)) return null;
            return new CmdletCall { Cmdlet = rest[..sp].ToString(), Parameters = "", Outcome = outcome, EventId = id };
        }
        return null;
    }

    /// <summary>
    /// The value of <c>-Name</c> in a rendered parameter list. Values are quoted without escaping inner quotes
    /// (<c>-ExternalUrl "http://f/&lt;script language="JScript"&gt;..." -Identity "OAB"</c>), so a quoted value ends at
    /// the quote that is followed by " -" or by the end.
    /// </summary>
    public static string? ParamValue(string parameters, string name)
    {
        var at = 0;
        while (true)
        {
            var i = parameters.IndexOf("-" + name, at, StringComparison.OrdinalIgnoreCase);
            if (i < 0) return null;
            at = i + 1 + name.Length;
            if (i > 0 && parameters[i - 1] != ' ') continue;
            if (at < parameters.Length && parameters[at] == ':') at++;
            else if (at < parameters.Length && parameters[at] != ' ') continue;
            var v = parameters.AsSpan(at).TrimStart();
            if (v.IsEmpty) return "";
            if (v[0] is '"' or '\'')
            {
                var q = v[0];
                var body = v[1..];
                var end = body.IndexOf(q + " -");
                if (end < 0) end = body.LastIndexOf(q);
                return (end < 0 ? body : body[..end]).ToString();
            }
            var space = v.IndexOf(' ');
            return (space < 0 ? v : v[..space]).ToString();
        }
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
