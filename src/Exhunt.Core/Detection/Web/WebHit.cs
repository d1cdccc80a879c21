using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Web;

/// <summary>Builds findings and file-write claims from a log line; only called on a hit, so it may allocate.</summary>
internal static class WebHit
{
    public static Finding Make(LogRecord record, RuleInfo rule, Outcome outcome, ReadOnlySpan<char> evidence,
        string? title = null, Severity? severity = null, Dictionary<string, string>? details = null, string? userAgent = null,
        string? clientIp = null)
    {
        var status = record[Field.Status];
        if (!status.IsEmpty)
        {
            details ??= new Dictionary<string, string>();
            details.TryAdd("httpStatus", status.ToString());
        }
        return new Finding
        {
            Rule = rule,
            Title = title,
            SeverityOverride = severity,
            Outcome = outcome,
            Time = record.Time,
            Artifact = record.File.RelativePath,
            Line = record.Line,
            Host = record.Str(Field.ServerHost) ?? record.File.Host,
            ClientIp = clientIp ?? record.Str(Field.ClientIp),
            UserAgent = userAgent ?? record.Str(Field.UserAgent),
            User = record.Str(Field.User),
            Evidence = Finding.Clip(evidence),
            Details = details,
        };
    }

    public static void ClaimWrite(ScanContext context, LogRecord record, string path, string ruleId, string how) =>
        context.FileWrites.Enqueue(new FileWriteClaim(path, record.File.RelativePath, record.Line, null, record.Time,
            record.Str(Field.ClientIp), ruleId, how));

    /// <summary>The request path and query as one string for evidence (IIS splits them; HttpProxy's query starts with '?').</summary>
    public static string Url(LogRecord record)
    {
        var stem = record[Field.UrlStem];
        var query = record[Field.UrlQuery];
        if (query.IsEmpty) return stem.ToString();
        return query[0] == '?' ? string.Concat(stem, query) : string.Concat(stem, "?", query);
    }

    /// <summary>"POST /ecp/y.js?..." for evidence.</summary>
    public static string Request(LogRecord record)
    {
        var method = record[Field.Method];
        return method.IsEmpty ? Url(record) : string.Concat(method, " ", Url(record));
    }
}

/// <summary>What an HTTP status says about an exploit request. Each rule picks the reading that fits its exploit.</summary>
internal static class HttpOutcome
{
    public static int Status(Readers.LogRecord record) => int.TryParse(record[Field.Status], out var s) ? s : 0;

    /// <summary>200 (and 241, ECP's "session created") reached the back end; 4xx/5xx did not; other codes say nothing sure.</summary>
    public static Outcome Strict(int status) => status switch
    {
        200 or 241 => Outcome.Succeeded,
        >= 400 => Outcome.Failed,
        _ => Outcome.Unknown,
    };

    /// <summary>As <see cref="Strict"/>, but 301/302 also count as reached (the published ProxyShell success rules list them).</summary>
    public static Outcome WithRedirects(int status) => status switch
    {
        200 or 241 or 301 or 302 => Outcome.Succeeded,
        >= 400 => Outcome.Failed,
        _ => Outcome.Unknown,
    };

    /// <summary>
    /// A front-end request whose real target rode in a cookie (ProxyLogon's static-file POSTs): the status is the back
    /// end's answer to a target the log does not show (often autodiscover.xml, which proves nothing), so only 241 (ECP
    /// session created) is a sure success and only 4xx/5xx a sure failure.
    /// </summary>
    public static Outcome HiddenTarget(int status) => status switch
    {
        241 => Outcome.Succeeded,
        >= 400 => Outcome.Failed,
        _ => Outcome.Unknown,
    };

    /// <summary>Only 200 is success; any other status is a failed attempt (CrowdStrike's OWASSRF reading).</summary>
    public static Outcome OnlyOk(int status) => status switch
    {
        200 => Outcome.Succeeded,
        0 => Outcome.Unknown,
        _ => Outcome.Failed,
    };
}
