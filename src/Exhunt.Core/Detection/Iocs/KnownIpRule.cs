using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Detection.Iocs;

/// <summary>
/// A client address of a text-log line is a published Exchange attacker address (Data/iocs/ips.tsv). HttpProxy and
/// Rps logs may carry a chain ("client proxy" separated by spaces or commas): every hop is checked. Weak on its
/// own — the addresses are from 2021 and get reused — it is the combination with exploitation findings that counts.
/// Reported once per file and address (the first line), so a busy attacker does not bury the report.
/// </summary>
public sealed class KnownIpRule : ILogRule
{
    public static readonly RuleInfo Info = new("ioc-ip-known-attacker", "Client address is a published Exchange attacker IP",
        Severity.Medium, [], ["T1190"], "initial-access", Proves.Weak);

    private readonly PerScan<(string Artifact, uint Ip)> _reported = new();

    public bool Handles(ArtifactKind kind) => kind is ArtifactKind.HttpProxy or ArtifactKind.Iis or ArtifactKind.RpsHttp
        or ArtifactKind.RpsCmdlet or ArtifactKind.EcpServer or ArtifactKind.EcpActivity or ArtifactKind.OabGenerator;

    /// <summary>The addresses in canonical dotted-quad form; Inspect reports only a token that holds that form.</summary>
    public IReadOnlyList<string>? LineNeedles { get; } = IocData.Ips.Keys.Select(Ipv4.Format).ToArray();

    public void Inspect(LogRecord record, ScanContext context)
    {
        var column = record[Field.ClientIp];
        while (!column.IsEmpty)
        {
            var cut = column.IndexOfAny(' ', ',', ';');
            var token = cut < 0 ? column : column[..cut];
            column = cut < 0 ? default : column[(cut + 1)..];
            if (token.IsEmpty || !Ipv4.TryParseToken(token, out var ip) || !IocData.Ips.TryGetValue(ip, out var ioc)) continue;
            // Zero-padded octets ("005.254.043.018") parse to the same number, but neither IIS nor Exchange writes
            // them, and the line prefilter looks for the canonical text: only that counts.
            if (!token.Contains(Ipv4.Format(ip), StringComparison.Ordinal)) continue;
            if (!_reported.First(context, (record.File.RelativePath, ip))) continue;
            context.Add(new Finding
            {
                Rule = Info,
                Title = $"Published attacker IP {ioc.Ip} ({ioc.Source})",
                Time = record.Time,
                Artifact = record.File.RelativePath,
                Host = record.Str(Field.ServerHost) ?? record.File.Host,
                Line = record.Line,
                ClientIp = ioc.Ip,
                UserAgent = record.Str(Field.UserAgent),
                User = record.Str(Field.User),
                Evidence = Finding.Clip(record.Raw),
                Details = new Dictionary<string, string>
                {
                    ["ioc_source"] = ioc.Source,
                    ["ioc_note"] = ioc.Note,
                    ["reported"] = "first line of this file from this address",
                },
            });
        }
    }
}
