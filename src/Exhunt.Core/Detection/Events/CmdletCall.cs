using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// An Exchange cmdlet run as the MSExchange Management log records it (provider MSExchange CmdletLogs):
/// event 1 = succeeded, 6 = failed, 8 = the task threw. The event's string array is read by name through
/// <see cref="ManagementEventFields"/> (Data/events/msexchange-management-fields.json); JSON exports often keep only
/// the rendered message "Cmdlet suceeded. Cmdlet X, parameters Y." (sic), which is read as a fallback.
/// </summary>
internal sealed class CmdletCall
{
    public string Cmdlet { get; private init; } = "";
    public string Parameters { get; private init; } = "";
    /// <summary>The caller as the log names it, e.g. "contoso.local/Users/Administrator".</summary>
    public string? User { get; private init; }
    /// <summary>The hosting process, e.g. "8372 w3wp#MSExchangePowerShellAppPool".</summary>
    public string? Process { get; private init; }
    /// <summary>e.g. "Remote-ManagementShell-Unknown", "EMC", "ECP".</summary>
    public string? ClientApplication { get; private init; }
    /// <summary>The exception text of a failed or thrown cmdlet (event 6/8), when logged.</summary>
    public string? Error { get; private init; }
    public Outcome Outcome { get; private init; }
    public int EventId { get; private init; }

    public static bool IsManagementEvent(WinEvent e) => ManagementEventFields.IsManagementEvent(e);

    // What the management rules read, resolved once.
    private static readonly ManagementEventFields.Field CmdletField = ManagementEventFields.Key("Cmdlet");
    private static readonly ManagementEventFields.Field ParametersField = ManagementEventFields.Key("Parameters");
    private static readonly ManagementEventFields.Field CallerField = ManagementEventFields.Key("Caller");
    private static readonly ManagementEventFields.Field HostProcessField = ManagementEventFields.Key("HostProcess");
    private static readonly ManagementEventFields.Field ClientApplicationField = ManagementEventFields.Key("ClientApplication");
    private static readonly ManagementEventFields.Field ErrorField = ManagementEventFields.Key("Error");

    /// <summary>The last call read on this thread: every management rule reads the same event, which is parsed once.</summary>
    [ThreadStatic] private static (WinEvent Event, int Count, CmdletCall Call)? _last;

    /// <summary>The event IDs, channels and providers <see cref="Read"/> reads (routing for the rules built on it).</summary>
    public static IReadOnlyList<int> EventIds => ManagementEventFields.EventIds;
    public static IReadOnlyList<string> Channels => ManagementEventFields.Channels;
    public static IReadOnlyList<string> Providers => ManagementEventFields.Providers;

    public static CmdletCall? Read(WinEvent e)
    {
        if (!IsManagementEvent(e)) return null;
        if (_last is { } last && ReferenceEquals(last.Event, e) && last.Count == e.Data.Count) return last.Call;
        var call = Parse(e);
        _last = (e, e.Data.Count, call);
        return call;
    }

    private static CmdletCall Parse(WinEvent e)
    {
        var outcome = e.EventId == 1 ? Outcome.Succeeded : Outcome.Failed;
        var fields = ManagementEventFields.Read(e);
        if (fields.TryGet(CmdletField, out var cmdlet) && IsCmdletName(cmdlet)) return FromFields(fields, e, outcome);
        foreach (var (_, value) in e.Data)
            if (FromMessage(value, e.EventId, outcome) is { } call) return call;
        var text = e.DataText();
        return new CmdletCall { Parameters = text, Error = e.EventId == 1 ? null : text, Outcome = outcome, EventId = e.EventId };
    }

    public override string ToString() => Parameters.Length == 0 ? Cmdlet : Cmdlet + " " + Parameters;

    /// <summary>Who ran it and from where, for a finding's details.</summary>
    public Dictionary<string, string> Details(Dictionary<string, string>? details = null)
    {
        details ??= new Dictionary<string, string>();
        details["cmdlet"] = Cmdlet;
        if (Process is { Length: > 0 }) details["hostProcess"] = Process;
        if (ClientApplication is { Length: > 0 }) details["clientApplication"] = ClientApplication;
        return details;
    }

    private static CmdletCall FromFields(ManagementEventFields.Record fields, WinEvent e, Outcome outcome)
    {
        var id = e.EventId;
        var error = fields.Named(ErrorField);
        // No public event 8 record shows where its exception sits: search all of its text.
        if (error is null && id == 8) error = NullIfEmpty(string.Join("\n", ManagementEventFields.Items(e).Skip(1)));
        return new CmdletCall
        {
            Cmdlet = fields.Named(CmdletField)!, Parameters = fields.Named(ParametersField) ?? "", User = fields.Named(CallerField),
            Process = fields.Named(HostProcessField), ClientApplication = fields.Named(ClientApplicationField), Error = error, Outcome = outcome, EventId = id,
        };
    }

    /// <summary>Verb-Noun, as every Exchange cmdlet is named.</summary>
    private static bool IsCmdletName(ReadOnlySpan<char> s)
    {
        var t = s.Trim();
        var dash = t.IndexOf('-');
        if (dash <= 0 || dash == t.Length - 1 || t.Length > 100) return false;
        foreach (var c in t)
            if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
        return true;
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
            return new CmdletCall { Cmdlet = cmdlet.ToString(), Parameters = parameters.ToString(), Error = id == 1 ? null : text, Outcome = outcome, EventId = id };
        }
        if (s.StartsWith("Task ", StringComparison.OrdinalIgnoreCase))
        {
            var rest = s[5..];
            var sp = rest.IndexOf(' ');
            if (sp <= 0 || !rest[sp..].StartsWith(" throwing unhandled exception", StringComparison.OrdinalIgnoreCase)) return null;
            return new CmdletCall { Cmdlet = rest[..sp].ToString(), Parameters = "", Error = rest[sp..].Trim().ToString(), Outcome = outcome, EventId = id };
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
