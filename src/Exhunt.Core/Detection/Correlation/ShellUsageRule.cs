using System.Globalization;
using Exhunt.Detection.Content;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Correlation;

/// <summary>
/// Who used each web shell the content judge found: the IIS/HttpProxy requests for its URL (mapped from where the file
/// lies — FrontEnd\HttpProxy\owa\… is /owa/…, inetpub\wwwroot\… is /…; by file name when the place says nothing),
/// on the same host only. The shell's finding gets first/last access, clients, methods, statuses and the count — or
/// says that no covered log asked for it, with the window the logs cover. Requests that reached the shell also make a
/// finding of their own, timed at the first access, so the shell joins its host's incident at the right moment.
/// </summary>
public sealed class ShellUsageRule : ICorrelationRule
{
    public static readonly RuleInfo Used = new("corr-webshell-used", "Web shell found by content was requested (who used it)",
        Severity.Critical, [], ["T1505.003"], "persistence", Proves.Compromise);

    public void Run(CorrelationInput input, ScanContext context)
    {
        var shells = input.Findings.Where(f => WebShellContentRule.ShellRuleIds.Contains(f.Rule.Id)).ToList();
        if (shells.Count == 0) return;
        var pages = context.PageUse.Pages.ToList();
        foreach (var shell in shells)
        {
            if (shell.Details is not Dictionary<string, string> details) continue;
            var url = details.GetValueOrDefault("url");
            var name = shell.Artifact[(shell.Artifact.LastIndexOf('/') + 1)..];
            var uses = pages.Where(p => SameHost(p.Host, shell.Host)
                    && (url is not null ? p.Url.Equals(url, StringComparison.OrdinalIgnoreCase)
                        : p.Url.EndsWith("/" + name, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (uses.Count == 0)
            {
                details["requests"] = NoRequest(context, shell.Host, url ?? "any URL ending /" + name);
                continue;
            }
            var count = uses.Sum(u => u.Count);
            var first = uses.Where(u => u.First is not null).Select(u => u.First!.Value).DefaultIfEmpty().Min();
            var last = uses.Where(u => u.Last is not null).Select(u => u.Last!.Value).DefaultIfEmpty().Max();
            var clients = uses.SelectMany(u => u.Clients).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var more = uses.Sum(u => u.MoreClients);
            var statuses = uses.SelectMany(u => u.Statuses).GroupBy(p => p.Key).OrderBy(g => g.Key)
                .Select(g => $"{g.Key}×{g.Sum(p => p.Value)}");
            details["requests"] = count.ToString(CultureInfo.InvariantCulture) + (url is null ? " (matched by file name: the file's place gives no URL)" : "");
            if (first != default) details["first_access"] = Timestamps.ToIso(first);
            if (last != default) details["last_access"] = Timestamps.ToIso(last);
            details["client_ips"] = string.Join(", ", clients.Take(16)) + (clients.Count > 16 || more > 0 ? $" … and {clients.Count - Math.Min(clients.Count, 16) + more} more" : "");
            details["methods"] = string.Join(", ", uses.SelectMany(u => u.Methods).Distinct());
            details["statuses"] = string.Join(", ", statuses);
            details["urls"] = string.Join(", ", uses.Select(u => u.Url).Distinct(StringComparer.OrdinalIgnoreCase).Take(5));
            var succeeded = uses.Sum(u => u.Succeeded);
            var firstUse = uses.OrderBy(u => u.First ?? DateTime.MaxValue).First();
            context.Add(new Finding
            {
                Rule = Used,
                Title = $"Web shell {name} was requested {count:N0} times by {clients.Count + more} client(s)",
                Outcome = succeeded > 0 ? Outcome.Succeeded : Outcome.Unknown,
                Time = first == default ? null : first,
                Artifact = firstUse.FirstArtifact,
                Line = firstUse.FirstLine,
                Host = shell.Host ?? firstUse.Host,
                ClientIp = firstUse.Clients.FirstOrDefault(),
                Evidence = Finding.Clip($"{details["methods"]} {details["urls"]}: {details["statuses"]}"),
                Details = new Dictionary<string, string>(details.Where(p => p.Key is "requests" or "first_access" or "last_access" or "client_ips" or "methods" or "statuses" or "urls" or "sha256"))
                {
                    ["shell"] = shell.Artifact,
                    ["answered_2xx"] = succeeded.ToString(CultureInfo.InvariantCulture),
                },
            });
        }
    }

    private static string NoRequest(ScanContext context, string? host, string url)
    {
        var windows = context.PageUse.Windows.Where(w => SameHost(w.Key, host)).Select(w => w.Value).ToList();
        if (windows.Count == 0) return $"none: no IIS or HttpProxy page request was read for this host, so nothing says who used {url}";
        var first = windows.Where(w => w.First is not null).Select(w => w.First!.Value).DefaultIfEmpty().Min();
        var last = windows.Where(w => w.Last is not null).Select(w => w.Last!.Value).DefaultIfEmpty().Max();
        var dropped = context.PageUse.Dropped > 0 ? $"; {context.PageUse.Dropped:N0} requests for pages beyond the first {PageUseTable.MaxPages:N0} distinct ones were not kept" : "";
        return $"none for {url} among {windows.Sum(w => w.Requests):N0} page requests logged"
            + (first == default ? "" : $" from {Timestamps.ToIso(first)} to {Timestamps.ToIso(last)}") + dropped;
    }

    /// <summary>Same host, or one side unknown; a short name matches its FQDN.</summary>
    internal static bool SameHost(string? a, string? b)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b)) return true;
        if (a.Equals(b, StringComparison.OrdinalIgnoreCase)) return true;
        static string Short(string h) => h.Split('.')[0];
        return Short(a).Equals(Short(b), StringComparison.OrdinalIgnoreCase);
    }
}
