using System.Text.RegularExpressions;

namespace Exhunt.Detection.Content;

/// <summary>One sink call found in server code.</summary>
/// <param name="Tainted">The call's arguments carry request data (directly, through a variable, a helper's
/// parameter, an object whose property got request data, or a request alias).</param>
/// <param name="PathFromRequest">For file writes: request data picks more than the uploaded file's own name (the
/// folder or the whole path).</param>
/// <param name="LiteralOnly">The arguments are string literals only (a fixed command such as iisreset).</param>
public sealed record SinkHit(SinkFamily Family, string Name, bool Tainted, bool PathFromRequest, bool LiteralOnly, string Statement);

/// <summary>The request-to-sink facts of one page's server code.</summary>
public sealed record CodeFacts(IReadOnlyList<SinkHit> Sinks, bool HasRequestInput, bool HasAuthCheck, bool HasExtensionCheck,
    bool HasSessionState, bool HasTunnelMarkers, int Statements);

/// <summary>
/// Follows request data through server code: sources are <c>Request</c> (Form, Item, QueryString, indexers, Files,
/// InputStream, BinaryRead, Headers, Cookies — not its path and identity properties), values of the page's server
/// controls, and the parameters of [WebMethod]s; taint flows through assignments (to the assigned variable or the
/// object whose member is set), Session/Application slots, stream reads into a buffer, and the parameters of helper
/// functions the page defines. A sink whose arguments hold tainted text is a request-driven sink.
/// </summary>
public static partial class TaintAnalysis
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    // Request members that are not attacker-chosen content (paths, identity, counts).
    [GeneratedRegex(@"\bRequest\b(?!\s*\.\s*(?:ApplicationPath|PhysicalApplicationPath|PhysicalPath|IsAuthenticated|IsLocal|IsSecureConnection|MapPath|AppRelativeCurrentExecutionFilePath|CurrentExecutionFilePath|FilePath|Path|Url|RawUrl|UserHostAddress|UserHostName|ServerVariables|Browser|UserAgent|HttpMethod|RequestType|ContentType|ContentLength|TotalBytes|UrlReferrer|LogonUserIdentity|ContentEncoding)\b)|\bBinaryRead\b|\bInputStream\b|\bHttpPostedFile\b|\.PostedFile\b", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RequestSourceCase();

    [GeneratedRegex(@"\bRequest\b(?!\s*\.\s*(?:ApplicationPath|PhysicalApplicationPath|PhysicalPath|IsAuthenticated|IsLocal|IsSecureConnection|MapPath|AppRelativeCurrentExecutionFilePath|CurrentExecutionFilePath|FilePath|Path|Url|RawUrl|UserHostAddress|UserHostName|ServerVariables|Browser|UserAgent|HttpMethod|RequestType|ContentType|ContentLength|TotalBytes|UrlReferrer|LogonUserIdentity|ContentEncoding)\b)|\bBinaryRead\b|\bInputStream\b|\bHttpPostedFile\b|\.PostedFile\b", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RequestSourceVb();

    [GeneratedRegex(@"\[\s*WebMethod[^\]]{0,200}\]\s*(?:public\s+)?(?:static\s+)?[\w<>\[\],.]+\s+\w+\s*\(([^)]{0,400})\)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WebMethod();

    [GeneratedRegex(@"^\s*(?:(?:Private|Public|Protected|Friend|Shared|Overrides|Static)\s+){0,4}(?:Function|Sub)\s+(\w+)\s*\(([^)]{0,400})\)|^[\w<>\[\],. ]{1,200}?\s(\w+)\s*\(([^()]{0,400})\)\s*$|\bfunction\s+(\w+)\s*\(([^)]{0,400})\)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FunctionDef();

    [GeneratedRegex(@"\.(?:Read|ReadBytes|CopyTo|ReadToEnd)\s*\(\s*(\w+)|Buffer\.BlockCopy\s*\([^,]+,[^,]+,\s*(\w+)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ReadInto();

    [GeneratedRegex(@"\b(?:User\.Identity\.IsAuthenticated|Request\.IsAuthenticated|IsInRole|IsUserInRole|FormsAuthentication\.|Membership\.|\[\s*Authorize|PortalSecurity|IsSuperUser|IsAdministrator|HasPermission|CheckPermission|HasModulePermission|HasEditPermissions|UserController\.|SecurityManager\.|ValidateUser|RequireAuth\w*)", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AuthCheck();

    [GeneratedRegex(@"\bGetExtension\b|\.EndsWith\s*\(|Allowed\w*Ext|AllowedFileTypes|\bext(?:ension)?s?\s*(?:==|!=|\.Contains|\.Equals|In\b)|ContentType\s*(?:==|!=|\.StartsWith|\.Equals)|IsImage|\bImage\.FromStream\b|\bValidat\w*File", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ExtensionCheck();

    [GeneratedRegex(@"\b(?:Session|Application|Cache|ViewState)\s*[\[\(.]", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SessionState();

    [GeneratedRegex(@"X-CMD|X-STATUS|X-TARGET|X-ERROR|""DISCONNECT""|""FORWARD""|""CONNECT""", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TunnelMarkers();

    [GeneratedRegex(@"(?:""(?:[^""\\]|\\.)*"")|(?:'(?:[^'\\]|\\.)*')", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b(?:Path\s*\.\s*GetFileName|GetFileName)\s*\([^()]*(?:\([^()]*\))?[^()]*\)|\b\w+\s*\.\s*(?:FileName|PostedFile\s*\.\s*FileName)\b", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex OwnFileName();

    /// <summary>A path rooted in the site (MapPath, ~/, the application folder): request data only picks below it.</summary>
    [GeneratedRegex(@"MapPath|""~/|AppDomainAppPath|PhysicalApplicationPath|AppDomain\.CurrentDomain\.BaseDirectory|GetTempPath|App_Data", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ConfinedPath();

    [GeneratedRegex(@"[A-Za-z_]\w*", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Identifier();

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "new", "null", "true", "false", "this", "Server", "MapPath", "Path", "Combine", "string", "String", "Format", "Concat",
        "Environment", "GetFolderPath", "SpecialFolder", "System", "IO", "Diagnostics", "Process", "Start", "ProcessStartInfo",
        "HttpContext", "Current", "nothing", "vbCrLf", "AppDomain", "CurrentDomain", "BaseDirectory",
    };

    /// <summary>C# and JScript are case-sensitive: a local "request" is not the page's Request.</summary>
    [ThreadStatic] private static Regex? _source;

    private static Regex RequestSource() => _source ?? RequestSourceCase();

    public static CodeFacts Analyse(string code, CodeDialect dialect, IReadOnlyList<string> controlIds)
    {
        _source = dialect is CodeDialect.VbNet or CodeDialect.VbScript ? RequestSourceVb() : RequestSourceCase();
        var statements = CodeText.Statements(code, dialect);
        var tainted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var confined = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in statements)
            if (s.Length < 2000 && ConfinedPath().IsMatch(s) && AssignmentAt(s) is var eqAt && eqAt > 0 && ConfinedPath().IsMatch(s[(eqAt + 1)..]))
                foreach (var name in AssignedNames(s[..eqAt])) confined.Add(name);
        var controls = controlIds.Count == 0 ? null
            : new Regex(@"\b(?:" + string.Join('|', controlIds.Take(200).Select(Regex.Escape)) + @")\s*\.\s*(?:Text|Value|PostedFile|FileName|FileBytes|FileContent|SelectedValue|InnerText|SelectedItem)\b", RegexOptions.IgnoreCase, Timeout);
        foreach (Match m in WebMethod().Matches(code))
            foreach (var p in Params(m.Groups[1].Value)) tainted.Add(p);

        var functions = new List<(string Call, string[] Params)>();
        foreach (var s in statements)
            if (s.Length < 600 && FunctionDef().Match(s) is { Success: true } f)
            {
                var name = f.Groups[1].Success ? f.Groups[1].Value : f.Groups[3].Success ? f.Groups[3].Value : f.Groups[5].Value;
                var ps = f.Groups[2].Success ? f.Groups[2].Value : f.Groups[4].Success ? f.Groups[4].Value : f.Groups[6].Value;
                if (name.Length > 0 && !IsControlWord(name)) functions.Add((name + "(", Params(ps)));
            }

        var hasSource = new bool[statements.Count];
        var anySource = false;
        for (var i = 0; i < statements.Count; i++)
        {
            hasSource[i] = RequestSource().IsMatch(statements[i]) || (controls?.IsMatch(statements[i]) ?? false);
            anySource |= hasSource[i];
        }
        anySource |= tainted.Count > 0;

        // Identifier tokens per statement, once: taint checks are set look-ups, not regex runs.
        var tokens = new string[statements.Count][];
        for (var i = 0; i < statements.Count; i++) tokens[i] = Tokens(statements[i]);
        bool IsTainted(string text) => tainted.Count > 0 && Tokens(text).Any(tainted.Contains);
        bool TokensTainted(string[] toks) => tainted.Count > 0 && toks.Any(tainted.Contains);
        for (var round = 0; round < 6; round++)
        {
            var before = tainted.Count;
            for (var i = 0; i < statements.Count; i++)
            {
                var s = statements[i];
                if (!hasSource[i] && !TokensTainted(tokens[i]) && !SlotTainted(s, tainted)) continue;
                var eq = AssignmentAt(s);
                if (eq > 0)
                {
                    var rhs = s[(eq + 1)..];
                    if (RequestSource().IsMatch(rhs) || (controls?.IsMatch(rhs) ?? false) || IsTainted(rhs) || SlotTainted(rhs, tainted))
                        foreach (var name in AssignedNames(s[..eq])) tainted.Add(name);
                }
                foreach (Match r in ReadInto().Matches(s))
                    tainted.Add(r.Groups[1].Success ? r.Groups[1].Value : r.Groups[2].Value);
                foreach (var (call, ps) in functions)
                {
                    if (ps.Length == 0) continue;
                    var at = s.IndexOf(call, StringComparison.OrdinalIgnoreCase);
                    if (at < 0 || (at > 0 && (char.IsLetterOrDigit(s[at - 1]) || s[at - 1] == '_'))) continue;
                    var args = CallArguments(s, at + call.Length);
                    if (RequestSource().IsMatch(args) || (controls?.IsMatch(args) ?? false) || IsTainted(args))
                        foreach (var p in ps) tainted.Add(p);
                }
            }
            if (tainted.Count == before) break;
            if (tainted.Count > 2000) break;
        }
        var confinedRe = BuildTaintRegex(confined);
        var hits = new List<SinkHit>();
        var shellObject = Sinks.All.Any(k => k.Name == "shell object" && k.Pattern.IsMatch(code));
        var vbScript = dialect == CodeDialect.VbScript;
        for (var i = 0; i < statements.Count && hits.Count < 2000; i++)
        {
            var s = statements[i];
            foreach (var sink in Sinks.All)
            {
                if (sink.VbScriptOnly && !vbScript) continue;
                if (sink.Name == "shell Exec/Run" && !shellObject) continue;
                Match m;
                try { m = sink.Pattern.Match(s); }
                catch (RegexMatchTimeoutException) { continue; }
                if (!m.Success) continue;
                var region = s[m.Index..];
                var eq = AssignmentAt(s);
                // "x = Sink(...)" judges the call; "obj.Prop = value" (StartInfo.Arguments = ...) judges the value.
                var isTainted = RequestSource().IsMatch(region) || (controls?.IsMatch(region) ?? false) || IsTainted(region) || SlotTainted(region, tainted);
                var literalOnly = !HasIdentifierArgument(region[m.Length..]);
                var pathFromRequest = false;
                if (isTainted && sink.Family == SinkFamily.FileWrite)
                {
                    var withoutOwnName = OwnFileName().Replace(region, " ");
                    pathFromRequest = RequestSource().IsMatch(withoutOwnName) || (controls?.IsMatch(withoutOwnName) ?? false) || IsTainted(OnlyArguments(withoutOwnName, m.Length)) || SlotTainted(OnlyArguments(withoutOwnName, m.Length), tainted);
                }
                if (isTainted && sink.Family is SinkFamily.FileRead or SinkFamily.FileList)
                    pathFromRequest = !ConfinedPath().IsMatch(region) && !(confinedRe?.IsMatch(region) ?? false);
                hits.Add(new SinkHit(sink.Family, sink.Name, isTainted, pathFromRequest, literalOnly && !isTainted, s));
                _ = eq;
            }
        }

        return new CodeFacts(hits, anySource, AuthCheck().IsMatch(code), ExtensionCheck().IsMatch(code),
            SessionState().IsMatch(code), TunnelMarkers().IsMatch(code), statements.Count);
    }

    /// <summary>The text between a call's parentheses (from just after '(' to the matching ')').</summary>
    private static string CallArguments(string s, int from)
    {
        var depth = 1;
        for (var i = from; i < s.Length; i++)
        {
            if (s[i] == '(') depth++;
            else if (s[i] == ')' && --depth == 0) return s[from..i];
        }
        return s[from..];
    }

    private static string[] Tokens(string text)
    {
        var list = new List<string>();
        foreach (Match m in Identifier().Matches(text)) list.Add(m.Value);
        return list.ToArray();
    }

    /// <summary>A Session/Application slot ("Session[\"k\"]") that got request data, named by its quoted key.</summary>
    private static bool SlotTainted(string text, HashSet<string> tainted)
    {
        if (text.IndexOf('"') < 0 && text.IndexOf('\'') < 0) return false;
        foreach (var t in tainted)
            if (t.Length > 2 && t[0] is '"' or '\'' && text.Contains(t, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>For "file.SaveAs(x)" the receiver is the uploaded file itself: only the arguments pick the path.</summary>
    private static string OnlyArguments(string region, int sinkLength) => region.Length > sinkLength ? region[sinkLength..] : "";

    private static Regex? BuildTaintRegex(HashSet<string> names)
    {
        if (names.Count == 0) return null;
        var alts = names.Where(n => n.Length > 0).OrderByDescending(n => n.Length).Take(2000).Select(Regex.Escape);
        return new Regex(@"(?<![\w.])(?:" + string.Join('|', alts) + @")(?!\w)", RegexOptions.IgnoreCase, Timeout);
    }

    /// <summary>The index of the assignment '=' (not ==, !=, &lt;=, &gt;=, =&gt;), outside strings; -1 when none.</summary>
    internal static int AssignmentAt(string s)
    {
        char quote = '\0';
        var depth = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '"' or '\'') { quote = c; continue; }
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == '=' && depth <= 0)
            {
                var prev = i > 0 ? s[i - 1] : ' ';
                var next = i + 1 < s.Length ? s[i + 1] : ' ';
                if (next is '=' or '>' || prev is '=' or '!' or '<' or '>') { i++; continue; }
                return i;
            }
        }
        return -1;
    }

    /// <summary>What an assignment's left side names: the variable (last word of "string x", "Dim x As T"), the
    /// root object of a member ("psi.Arguments" taints psi) and a whole Session/Application slot.</summary>
    private static IEnumerable<string> AssignedNames(string lhs)
    {
        lhs = lhs.TrimEnd('+', '-', '*', '/', '&', '|', '^', ' ', ':');
        lhs = Regex.Replace(lhs, @"\s+As\s+(?:New\s+)?[\w.<>\[\]()]+\s*$", "", RegexOptions.IgnoreCase);
        lhs = Regex.Replace(lhs, @"^\s*(?:Dim|Set|Const|Let|var|let|Private|Public|Static|ReDim|Preserve)\s+", "", RegexOptions.IgnoreCase).Trim();
        var slot = Regex.Match(lhs, @"\b(Session|Application|Cache|ViewState)\s*[\[\(]\s*([""'][^""']{1,60}[""'])\s*[\]\)]", RegexOptions.IgnoreCase);
        if (slot.Success) { yield return slot.Groups[2].Value; yield break; }
        var last = lhs.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var root = Regex.Match(last, @"^[A-Za-z_]\w*");
        if (root.Success && !IsControlWord(root.Value)) yield return root.Value;
    }

    private static string[] Params(string list) => list.Split(',')
        .Select(p => Regex.Replace(p, @"\s+As\s+[\w.<>\[\]()]+", "", RegexOptions.IgnoreCase).Replace("ByVal", "", StringComparison.OrdinalIgnoreCase)
            .Replace("ByRef", "", StringComparison.OrdinalIgnoreCase).Trim().TrimEnd(']', ')'))
        .Select(p => Regex.Match(p, @"(\w+)\s*(?:=.*)?$").Groups[1].Value)
        .Where(p => p.Length > 0 && !IsControlWord(p)).ToArray();

    private static bool IsControlWord(string w) => w.ToLowerInvariant() is "if" or "for" or "foreach" or "while" or "switch" or "catch"
        or "using" or "lock" or "return" or "else" or "new" or "sizeof" or "typeof" or "object" or "sender" or "e" or "eventargs";

    /// <summary>Whether the call's arguments name anything but literals and a few constant helpers.</summary>
    private static bool HasIdentifierArgument(string args)
    {
        var stripped = StringLiteral().Replace(args, " ");
        foreach (Match id in Identifier().Matches(stripped))
            if (!Keywords.Contains(id.Value)) return true;
        return false;
    }
}
