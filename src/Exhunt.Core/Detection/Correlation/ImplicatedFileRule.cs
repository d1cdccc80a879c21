using System.Globalization;
using System.Security.Cryptography;
using Exhunt.Detection.Files;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Correlation;

/// <summary>
/// Joins the logs to the collected files. A file is implicated when
/// (a) a log line says the attacker wrote it (<see cref="ScanContext.FileWrites"/>: OAB "Download failed" paths, vdir
///     reset paths, New-MailboxExportRequest -FilePath, New-ExchangeCertificate -RequestFile, UNC forms included), or
/// (b) a client tied to the intrusion — an address in an attempt or compromise finding — requested it as a non-stock
///     page in a web-shell folder (<see cref="ScanContext.PageRequests"/>).
/// When that file is in the evidence, it gets its own finding with size, SHA-256 and the implicating log lines:
/// the logs say the attacker wrote or ran it, and it is there. Claims whose file was not collected add nothing (the
/// log finding already stands); pages only ordinary clients requested stay quiet.
/// A STOCK page (RedirSuiteServiceProxy.aspx ...) that an intrusion client POSTed to is listed as weak: the name is
/// Exchange's, but ProxyNotShell intruders overwrote exactly such pages, so its SHA-256 is worth comparing with the
/// build's baseline. Stock pages the intruder only fetched (GET logon.aspx is routine) stay quiet.
/// Scope: a log line implicates only files of its own host (<see cref="CorrelationInput.ArtifactHosts"/>), and a page
/// request counts only when its client is an intrusion client on that same host, from <see cref="RequestLead"/> before
/// that client's first attempt there to <see cref="RequestWindow"/> after its last.
/// </summary>
public sealed class ImplicatedFileRule : ICorrelationRule
{
    public static readonly RuleInfo Info = new("corr-implicated-file-present", "File the logs implicate is present in the evidence",
        Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public static readonly RuleInfo StockPosted = new("corr-stock-page-posted-by-intruder",
        "Stock Exchange page an intrusion client POSTed to is present (compare its SHA-256 with the build baseline)",
        Severity.Medium, [], ["T1505.003"], "persistence", Proves.Weak);

    public static readonly TimeSpan RequestLead = TimeSpan.FromDays(1);
    public static readonly TimeSpan RequestWindow = TimeSpan.FromDays(30);

    /// <summary>Implicating lines listed per file; the rest are counted.</summary>
    public const int MaxListed = 20;

    public void Run(CorrelationInput input, ScanContext context)
    {
        var byFile = new Dictionary<EvidenceFile, Implication>();
        var stockPosted = new Dictionary<EvidenceFile, Implication>();

        // Files are read in parallel, so the queues fill in any order; walk them in log order for a stable report.
        var claims = context.FileWrites
            .OrderBy(c => c.Time ?? DateTime.MaxValue).ThenBy(c => c.Artifact, StringComparer.Ordinal)
            .ThenBy(c => c.Line ?? c.Record ?? 0).ThenBy(c => c.WindowsPath, StringComparer.Ordinal).ThenBy(c => c.RuleId, StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            var file = input.Index.FindWindowsPath(claim.WindowsPath);
            if (file is null || input.HostOf(file.RelativePath) != input.HostOf(claim.Artifact)) continue;
            Of(byFile, file).Add(Where(claim.Artifact, claim.Line, claim.Record), claim.Time, claim.ClientIp,
                $"{claim.How} ({claim.RuleId}): {claim.WindowsPath}");
        }

        // Per host and client: when the intrusion client was active there. Other rules may copy the column as
        // logged ("1.2.3.4:5678", "1.2.3.4, 10.0.0.1"): compare first hops.
        var intrusion = new Dictionary<(string Host, string Ip), (DateTime? First, DateTime? Last)>();
        foreach (var f in input.Findings.Where(f => f.Rule.Implies >= Proves.Attempt && f.ClientIp is not null))
        {
            var key = (input.HostOf(f.Artifact), (PageRequestRule.ClientIp(f.ClientIp) ?? f.ClientIp!).ToLowerInvariant());
            intrusion.TryGetValue(key, out var span);
            intrusion[key] = f.Time is not { } t ? span
                : (span.First is { } a && a < t ? a : t, span.Last is { } b && b > t ? b : t);
        }
        if (intrusion.Count > 0)
            foreach (var request in context.PageRequests.OrderBy(r => r.Time ?? DateTime.MaxValue)
                         .ThenBy(r => r.Artifact, StringComparer.Ordinal).ThenBy(r => r.Line))
            {
                if (request.ClientIp is null) continue;
                var host = input.HostOf(request.Artifact);
                if (!intrusion.TryGetValue((host, request.ClientIp.ToLowerInvariant()), out var active)) continue;
                if (request.Time is { } rt && active.First is { } a0 && active.Last is { } a1 && (rt < a0 - RequestLead || rt > a1 + RequestWindow)) continue;
                var file = input.Index.FindUrlPath(request.UrlPath);
                if (file is null || input.HostOf(file.RelativePath) != host) continue;
                var stock = WebShellFolders.LocateUrl(request.UrlPath).Stock;
                if (stock && !request.Method.Equals("POST", StringComparison.OrdinalIgnoreCase)) continue;
                Of(stock ? stockPosted : byFile, file).Add(Where(request.Artifact, request.Line, null), request.Time, request.ClientIp,
                    $"{request.Method} {request.UrlPath} {request.Status} from {request.ClientIp}");
            }

        foreach (var (file, why) in byFile.OrderBy(p => p.Key.RelativePath, StringComparer.Ordinal))
            context.Add(Emit(input, file, why, Info));
        foreach (var (file, why) in stockPosted.Where(p => !byFile.ContainsKey(p.Key)).OrderBy(p => p.Key.RelativePath, StringComparer.Ordinal))
            context.Add(Emit(input, file, why, StockPosted));
    }

    private static Implication Of(Dictionary<EvidenceFile, Implication> map, EvidenceFile file)
    {
        if (!map.TryGetValue(file, out var i)) map[file] = i = new Implication();
        return i;
    }

    private static string Where(string artifact, long? line, long? record) =>
        line is { } l ? $"{artifact}:{l.ToString(CultureInfo.InvariantCulture)}"
        : record is { } r ? $"{artifact}#{r.ToString(CultureInfo.InvariantCulture)}" : artifact;

    private static Finding Emit(CorrelationInput input, EvidenceFile file, Implication why, RuleInfo rule)
    {
        // The scan hashed every non-log file as it read it; hash here only what it did not (a log, a failed read).
        string? hashError = null;
        var sha256 = input.ArtifactHashes.GetValueOrDefault(file.RelativePath) ?? Hash(file, out hashError);
        var details = FileDetails.Of(file, sha256);
        if (hashError is not null) details["sha256_error"] = hashError;
        var listed = why.Lines.Distinct().Take(MaxListed).ToList();
        var more = why.Lines.Distinct().Count() - listed.Count;
        details["implicated_by"] = string.Join("; ", listed) + (more > 0 ? $"; … {more} more" : "");
        details["how"] = string.Join(" | ", why.How.Distinct().Take(5));
        return new Finding
        {
            Rule = rule,
            Title = rule == Info ? $"File the logs implicate is present: {file.RelativePath}"
                : $"Stock page POSTed by an intrusion client is present: {file.RelativePath}",
            Time = why.FirstTime,
            Artifact = file.RelativePath,
            ClientIp = why.ClientIp,
            Evidence = Finding.Clip(why.How[0]),
            Details = details,
        };
    }

    private static string? Hash(EvidenceFile file, out string? error)
    {
        error = null;
        try
        {
            using var s = file.Open();
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            error = e.Message;
            return null;
        }
    }

    private sealed class Implication
    {
        public List<string> Lines { get; } = new();
        public List<string> How { get; } = new();
        public DateTime? FirstTime { get; private set; }
        public string? ClientIp { get; private set; }

        public void Add(string line, DateTime? time, string? ip, string how)
        {
            Lines.Add(line);
            if (How.Count < 50) How.Add(how);
            if (time is { } t && (FirstTime is null || t < FirstTime)) FirstTime = t;
            ClientIp ??= ip;
        }
    }
}
