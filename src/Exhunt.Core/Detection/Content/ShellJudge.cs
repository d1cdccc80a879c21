using Exhunt.Findings;

namespace Exhunt.Detection.Content;

/// <summary>One detector that fired, how much it says alone, and the snippet that shows it.</summary>
public sealed record Signal(string Detector, Severity Strength, string Snippet);

/// <summary>The judgement of one page: the strongest signal decides, a few medium ones together raise it.</summary>
public sealed record Judgement(Severity Severity, IReadOnlyList<Signal> Signals)
{
    public Signal Decisive => Signals.OrderByDescending(s => s.Strength).First();
    public string Detectors => string.Join(", ", Signals.OrderByDescending(s => s.Strength).Select(s => s.Detector).Distinct());
}

/// <summary>
/// Turns page facts into detector signals and a severity. Severity is certainty: critical = request data provably
/// reaches code evaluation, code loading or a command, or a published shell shape (OAB dump with script, encrypted
/// loader, tunnel); high = a shell capability driven by the request but not traced end to end; medium = shell-like
/// and unusual for a normal page (tiny unchecked upload, obfuscated sinks); low = risky capabilities a normal admin or
/// CMS page also has (fixed commands, checked uploads, file access behind an authorisation check).
/// </summary>
public static class ShellJudge
{
    public static Judgement Judge(ParsedPage page, Deobfuscated deob, CodeFacts facts, string originalCode, bool sourceFile = false)
    {
        var signals = new List<Signal>();
        void Add(string detector, Severity strength, string snippet) => signals.Add(new Signal(detector, strength, snippet));
        SinkHit? First(Func<SinkHit, bool> p) => facts.Sinks.FirstOrDefault(p);

        var req = facts.HasRequestInput;
        var smallPage = page.ServerCode.Length < 8000 && page.MarkupChars < 6000;

        // Lower-case eval is JScript's; in C#/VB source it is text for the browser.
        var evalDialect = page.Dialect is CodeDialect.JScript or CodeDialect.VbScript;
        if (!evalDialect) facts = facts with { Sinks = facts.Sinks.Where(h => h.Family != SinkFamily.Eval || h.Name is "JScript engine eval" or "XSLT script").ToList() };
        if (First(h => h.Family == SinkFamily.Eval && h.Tainted) is { } ev) Add("request→eval", Severity.Critical, ev.Statement);
        else if (First(h => h.Family == SinkFamily.Eval) is { } ev2 && req) Add("eval+request", Severity.High, ev2.Statement);
        else if (First(h => h.Family == SinkFamily.Eval) is { } ev3) Add("server-eval", Severity.Medium, ev3.Statement);

        var crypto = First(h => h.Family == SinkFamily.Crypto) ?? (XorLoop(page.ServerCode) is { } x ? new SinkHit(SinkFamily.Crypto, "xor", false, false, false, x) : null);
        var load = First(h => h.Family == SinkFamily.CodeLoad && h.Tainted) ?? First(h => h.Family == SinkFamily.CodeLoad);
        if (load is not null && crypto is not null && req && ((load.Tainted && !sourceFile) || smallPage)) Add("encrypted-loader", Severity.Critical, load.Statement);
        else if (load is { Tainted: true }) Add("request→code-load", Severity.Critical, load.Statement);
        else if (load is not null && deob.EmbeddedAssembly) Add("embedded-assembly-load", Severity.High, load.Statement);
        else if (load is not null && req) Add("code-load+request", Severity.High, load.Statement);
        else if (load is not null) Add("code-load", Severity.Low, load.Statement);

        var cmdTainted = First(h => h.Family == SinkFamily.Command && h.Tainted);
        var cmdDynamic = First(h => h.Family == SinkFamily.Command && !h.LiteralOnly);
        var cmdAny = First(h => h.Family == SinkFamily.Command);
        if (cmdTainted is not null) Add("request→command", Severity.Critical, cmdTainted.Statement);
        else if (cmdDynamic is not null && req) Add("command+request", Severity.High, cmdDynamic.Statement);
        else if (First(h => h.Name == "command interpreter") is { } shell && req) Add("command-interpreter+request", Severity.High, shell.Statement);
        else if (First(h => h.Name == "shell object") is { } obj) Add("shell-object", Severity.Medium, obj.Statement);
        else if (cmdAny is not null) Add("command", Severity.Low, cmdAny.Statement);

        var network = First(h => h.Family == SinkFamily.Network);
        var socket = facts.Sinks.FirstOrDefault(h => h.Family == SinkFamily.Network && (h.Statement.Contains("Socket", StringComparison.OrdinalIgnoreCase) || h.Statement.Contains("TcpClient", StringComparison.OrdinalIgnoreCase)));
        if (socket is not null && facts.HasTunnelMarkers && facts.HasSessionState && req) Add("tunnel", Severity.Critical, socket.Statement);
        else if (socket is not null && facts.HasSessionState && req) Add("socket+session+request", Severity.Medium, socket.Statement);
        else if (network is { Tainted: true }) Add("request→network", Severity.Low, network.Statement);

        var writePath = First(h => h.Family == SinkFamily.FileWrite && h.PathFromRequest);
        var writeName = First(h => h.Family == SinkFamily.FileWrite && h.Tainted);
        var ops = facts.Sinks.Where(h => h.Tainted && h.Family is SinkFamily.FileWrite or SinkFamily.FileRead or SinkFamily.FileList or SinkFamily.Timestomp)
            .Select(h => h.Family == SinkFamily.FileWrite ? h.Name : h.Family.ToString()).Distinct().Count();
        if (ops >= 3 && !facts.HasAuthCheck) Add("file-manager", Severity.High, (writePath ?? writeName ?? facts.Sinks.First(h => h.Tainted)).Statement);
        else if (ops >= 3) Add("file-manager (authorisation check seen)", Severity.Low, facts.Sinks.First(h => h.Tainted).Statement);
        if (writePath is not null && !facts.HasAuthCheck && !facts.HasExtensionCheck) Add("request→file-write-path", Severity.High, writePath.Statement);
        else if (writePath is not null) Add("request→file-write-path (checked)", Severity.Low, writePath.Statement);
        else if (writeName is not null && !facts.HasExtensionCheck && !facts.HasAuthCheck && smallPage) Add("unchecked-upload", Severity.Medium, writeName.Statement);
        else if (writeName is not null) Add("upload (checked)", Severity.Low, writeName.Statement);

        var browse = facts.Sinks.Where(h => h.PathFromRequest && h.Family is SinkFamily.FileRead or SinkFamily.FileList).ToList();
        if (browse.Select(h => h.Family).Distinct().Count() == 2) Add("request→file-browse", Severity.Medium, browse[0].Statement);
        if (First(h => h.Family == SinkFamily.Timestomp && h.Tainted) is { } ts) Add("request→timestomp", Severity.Medium, ts.Statement);
        else if (First(h => h.Family == SinkFamily.Timestomp) is { } ts2) Add("timestomp", Severity.Low, ts2.Statement);
        if (First(h => h.Family == SinkFamily.Sql && h.Tainted && h.Name == "database connection" && !h.Statement.Contains("ConfigurationManager", StringComparison.OrdinalIgnoreCase)) is { } sql)
            Add("request→db-connection", Severity.Medium, sql.Statement);
        if (First(h => h.Family == SinkFamily.Registry && h.Tainted) is { } reg) Add("request→registry/wmi", Severity.Medium, reg.Statement);
        if (First(h => h.Family == SinkFamily.Reflection && h.Tainted) is { } refl) Add("request→reflection", Severity.Low, refl.Statement);

        // Obfuscation: alone it is odd, next to a sink it is a shell hiding.
        var tricks = deob.Tricks.Where(t => t != "base64 text" || facts.Sinks.Count > 0).ToList();
        var obfuscation = new List<string>(tricks);
        if (deob.LongBlobs > 0) obfuscation.Add($"{deob.LongBlobs} long base64 blob(s)");
        if (page.HasEncodedScript) obfuscation.Add("encoded script (#@~^)");
        if (deob.Entropy > 5.4 && originalCode.Length > 1000) obfuscation.Add($"entropy {deob.Entropy:0.0} bits/char");
        if (originalCode.Contains("_0x", StringComparison.Ordinal)) obfuscation.Add("_0x identifiers");
        var sinkSeen = facts.Sinks.Any(h => h.Family is SinkFamily.Eval or SinkFamily.CodeLoad or SinkFamily.Command or SinkFamily.FileWrite);
        if (page.HasEncodedScript) Add("encoded-server-script", Severity.High, "#@~^ (Microsoft Script Encoder)");
        else if (obfuscation.Count > 0 && (sinkSeen || req) && (obfuscation.Count >= 2 || tricks.Any(t => t.StartsWith("split keyword", StringComparison.Ordinal)) || tricks.Contains("character arithmetic")))
            Add("obfuscation: " + string.Join(", ", obfuscation), sinkSeen && req ? Severity.High : Severity.Medium, facts.Sinks.FirstOrDefault()?.Statement ?? "");
        else if (obfuscation.Count > 0) Add("obfuscation: " + string.Join(", ", obfuscation), Severity.Low, "");

        if (signals.Count == 0) return new Judgement(Severity.Info, signals);
        // A source file (.cs/.vb) is not requested by itself: only a traced request→sink makes it a shell component.
        if (sourceFile) signals = signals.Select(s => s.Detector is "request→eval" or "request→command" ? s : s with { Strength = Severity.Low }).ToList();
        var top = signals.Max(s => s.Strength);
        // Several independent medium signals (e.g. unchecked upload + timestomp + obfuscation) make a likely shell.
        if (top == Severity.Medium && signals.Count(s => s.Strength == Severity.Medium) >= 3) top = Severity.High;
        return new Judgement(top, signals);
    }

    /// <summary>A byte-wise XOR decode loop (Godzilla/Behinder XOR variants: b[i] ^ key[i + 1 &amp; 15]).</summary>
    private static string? XorLoop(string code)
    {
        for (var at = code.IndexOf('^'); at >= 0 && at < code.Length - 2; at = code.IndexOf('^', at + 1))
        {
            var j = at + 1;
            if (j < code.Length && code[j] == '=') j++;
            while (j < code.Length && code[j] == ' ') j++;
            var start = j;
            while (j < code.Length && (char.IsLetterOrDigit(code[j]) || code[j] == '_')) j++;
            if (j == start) continue;
            while (j < code.Length && code[j] == ' ') j++;
            if (j < code.Length && code[j] == '[')
            {
                var from = Math.Max(0, at - 60);
                return code[from..Math.Min(code.Length, at + 60)];
            }
        }
        return null;
    }
}
