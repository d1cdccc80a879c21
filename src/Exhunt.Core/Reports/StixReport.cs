using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Story;

namespace Exhunt.Reports;

/// <summary>
/// A STIX 2.1 bundle for sharing: exhunt's identity, one identity per host, the indicators (outside attacker
/// addresses, file hashes, planted-file paths, user agents of exploitation requests), each with the observed data
/// and a sighting on its host, the ATT&amp;CK techniques as attack-patterns and the CVEs as vulnerabilities.
/// Ids are UUIDv5 of their content, so the same scan gives the same bundle.
/// </summary>
public sealed class StixReportWriter : IReportWriter
{
    private static readonly Guid Namespace = new("6c0a6cf3-3f1e-4b8f-9a42-8e3b7f0d5a11");
    private const int MaxIndicators = 500;

    public string Format => "stix";
    public string Description => "STIX 2.1 bundle: indicators, observed data, sightings, techniques, CVEs";

    public void Write(ScanResult result, Stream output, Severity minSeverity) => Write(StoryModel.Of(result, minSeverity), output, DateTime.UtcNow);

    private sealed record Ioc(string Kind, string Value, string Pattern, string Host, DateTime? First, DateTime? Last, int Count, string Name, string? Source = null);

    public static void Write(StoryModel model, Stream output, DateTime now)
    {
        var created = Timestamps.ToIso(now);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.Default });
        var exhunt = Id("identity", "exhunt");
        w.WriteStartObject();
        w.WriteString("type", "bundle");
        w.WriteString("id", Id("bundle", model.Result.Root + created));
        w.WriteStartArray("objects");

        Sdo(w, "identity", exhunt, created, null, () =>
        {
            w.WriteString("name", "exhunt " + ToolVersion.Value);
            w.WriteString("description", "Exchange compromise hunting tool; this bundle is one scan's result: " + model.Result.Story.Sentence);
            w.WriteString("identity_class", "system");
        });

        var hosts = model.Findings.Select(StoryModel.HostOf).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var h in hosts)
            Sdo(w, "identity", Id("identity", "host:" + h.ToLowerInvariant()), created, exhunt, () =>
            {
                w.WriteString("name", h);
                w.WriteString("identity_class", "system");
                w.WriteString("description", "Exchange server (as named in the evidence)");
            });

        foreach (var cve in model.Findings.SelectMany(f => f.Rule.Cves).Distinct().Order(StringComparer.Ordinal))
            Sdo(w, "vulnerability", Id("vulnerability", cve), created, exhunt, () =>
            {
                w.WriteString("name", cve);
                w.WriteStartArray("external_references");
                w.WriteStartObject(); w.WriteString("source_name", "cve"); w.WriteString("external_id", cve); w.WriteEndObject();
                w.WriteEndArray();
            });

        foreach (var t in model.Findings.SelectMany(f => f.Rule.Attack).Distinct().Order(StringComparer.Ordinal))
            Sdo(w, "attack-pattern", Id("attack-pattern", t), created, exhunt, () =>
            {
                w.WriteString("name", t);
                w.WriteStartArray("external_references");
                w.WriteStartObject();
                w.WriteString("source_name", "mitre-attack");
                w.WriteString("external_id", t);
                w.WriteString("url", "https://attack.mitre.org/techniques/" + t.Replace('.', '/') + "/");
                w.WriteEndObject();
                w.WriteEndArray();
            });

        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ioc in Iocs(model))
        {
            var host = Id("identity", "host:" + ioc.Host.ToLowerInvariant());
            var indicator = Id("indicator", ioc.Kind + ":" + ioc.Value);
            var sco = Sco(ioc);
            var observed = Id("observed-data", ioc.Host + ":" + ioc.Kind + ":" + ioc.Value);
            var first = Timestamps.ToIso(ioc.First ?? now);
            var last = Timestamps.ToIso(ioc.Last ?? ioc.First ?? now);
            if (written.Add(indicator)) Sdo(w, "indicator", indicator, created, exhunt, () =>
            {
                w.WriteString("name", ioc.Name);
                w.WriteStartArray("indicator_types"); w.WriteStringValue("malicious-activity"); w.WriteEndArray();
                w.WriteString("pattern", ioc.Pattern);
                w.WriteString("pattern_type", "stix");
                w.WriteString("valid_from", first);
            });
            if (ioc.Source is { } src) WriteSco(w, Id(src.Contains(':') ? "ipv6-addr" : "ipv4-addr", src), ioc with { Kind = src.Contains(':') ? "ipv6-addr" : "ipv4-addr", Value = src }, written);
            WriteSco(w, sco.Id, ioc, written);
            Sdo(w, "observed-data", observed, created, exhunt, () =>
            {
                w.WriteString("first_observed", first);
                w.WriteString("last_observed", last);
                w.WriteNumber("number_observed", Math.Max(1, ioc.Count));
                w.WriteStartArray("object_refs");
                w.WriteStringValue(sco.Id);
                if (ioc.Source is { } src) w.WriteStringValue(Id(src.Contains(':') ? "ipv6-addr" : "ipv4-addr", src));
                w.WriteEndArray();
            });
            Sdo(w, "sighting", Id("sighting", ioc.Host + ":" + indicator), created, exhunt, () =>
            {
                w.WriteString("first_seen", first);
                w.WriteString("last_seen", last);
                w.WriteNumber("count", Math.Max(1, ioc.Count));
                w.WriteString("sighting_of_ref", indicator);
                w.WriteStartArray("observed_data_refs"); w.WriteStringValue(observed); w.WriteEndArray();
                w.WriteStartArray("where_sighted_refs"); w.WriteStringValue(host); w.WriteEndArray();
            });
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The indicators: what an exploitation-level finding names (outside address, user agent) or a planted
    /// file (hash, path).</summary>
    private static IEnumerable<Ioc> Iocs(StoryModel model)
    {
        var list = new List<Ioc>();
        var attacks = model.Findings.Where(f => f.Rule.Implies >= Proves.Attempt).ToList();
        foreach (var g in attacks.Where(f => f.ClientIp is { } ip && IPAddress.TryParse(ip.Trim(), out _) && !IpAddresses.IsInternal(ip))
                     .GroupBy(f => (Host: StoryModel.HostOf(f), Ip: IPAddress.Parse(f.ClientIp!.Trim()).ToString())))
        {
            var v6 = g.Key.Ip.Contains(':');
            list.Add(new Ioc(v6 ? "ipv6-addr" : "ipv4-addr", g.Key.Ip, $"[{(v6 ? "ipv6-addr" : "ipv4-addr")}:value = '{Esc(g.Key.Ip)}']", g.Key.Host,
                g.Min(f => f.Time), g.Max(f => f.Time), g.Count(), "Exchange exploitation source " + g.Key.Ip));
        }
        // Network traffic needs an end: the (first) client that sent the agent.
        foreach (var g in attacks.Where(f => !string.IsNullOrWhiteSpace(f.UserAgent) && f.ClientIp is { } ip && IPAddress.TryParse(ip.Trim(), out _))
                     .GroupBy(f => (Host: StoryModel.HostOf(f), Ua: f.UserAgent!)))
            list.Add(new Ioc("user-agent", g.Key.Ua, $"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = '{Esc(g.Key.Ua)}']",
                g.Key.Host, g.Min(f => f.Time), g.Max(f => f.Time), g.Count(), "User agent of Exchange exploitation requests",
                IPAddress.Parse(g.First().ClientIp!.Trim()).ToString()));
        var files = model.Findings.Where(f => f.Line is null && f.Record is null && f.Rule.Tactic is "persistence" or "credential-access" or "collection"
            && f.Severity >= Severity.Medium).ToList();
        foreach (var g in files.Where(f => f.Details?.GetValueOrDefault("sha256") is { Length: 64 }).GroupBy(f => (Host: StoryModel.HostOf(f), Sha: f.Details!["sha256"].ToLowerInvariant())))
            list.Add(new Ioc("file-hash", g.Key.Sha, $"[file:hashes.'SHA-256' = '{g.Key.Sha}']", g.Key.Host, g.Min(f => f.Time), g.Max(f => f.Time), g.Count(),
                "Planted or staged file " + FileName(g.First().Artifact)));
        foreach (var g in files.Where(f => f.Rule.Tactic == "persistence").GroupBy(f => (Host: StoryModel.HostOf(f), Path: f.Details?.GetValueOrDefault("path") ?? f.Artifact)))
            list.Add(new Ioc("file-path", g.Key.Path, $"[file:name = '{Esc(FileName(g.Key.Path))}']", g.Key.Host, g.Min(f => f.Time), g.Max(f => f.Time), g.Count(),
                "Web shell path " + g.Key.Path));
        return list.Take(MaxIndicators);
    }

    private static (string Id, string Type) Sco(Ioc ioc) => ioc.Kind switch
    {
        "ipv4-addr" or "ipv6-addr" => (Id(ioc.Kind, ioc.Value), ioc.Kind),
        "user-agent" => (Id("network-traffic", "ua:" + ioc.Value), "network-traffic"),
        _ => (Id("file", ioc.Kind + ":" + ioc.Value), "file"),
    };

    private static void WriteSco(Utf8JsonWriter w, string id, Ioc ioc, HashSet<string> written)
    {
        if (!written.Add(id)) return;
        w.WriteStartObject();
        w.WriteString("type", id[..id.IndexOf("--", StringComparison.Ordinal)]);
        w.WriteString("spec_version", "2.1");
        w.WriteString("id", id);
        switch (ioc.Kind)
        {
            case "ipv4-addr" or "ipv6-addr":
                w.WriteString("value", ioc.Value);
                break;
            case "user-agent":
                w.WriteString("src_ref", Id(ioc.Source!.Contains(':') ? "ipv6-addr" : "ipv4-addr", ioc.Source));
                w.WriteStartArray("protocols"); w.WriteStringValue("http"); w.WriteEndArray();
                w.WriteStartObject("extensions");
                w.WriteStartObject("http-request-ext");
                w.WriteString("request_method", "post");
                w.WriteString("request_value", "/");
                // Header values are lists (a header may repeat), as the OASIS schema has them.
                w.WriteStartObject("request_header"); w.WriteStartArray("User-Agent"); w.WriteStringValue(ioc.Value); w.WriteEndArray(); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case "file-hash":
                w.WriteStartObject("hashes"); w.WriteString("SHA-256", ioc.Value); w.WriteEndObject();
                break;
            default:
                w.WriteString("name", FileName(ioc.Value));
                break;
        }
        w.WriteEndObject();
    }

    private static void Sdo(Utf8JsonWriter w, string type, string id, string created, string? createdBy, Action body)
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("spec_version", "2.1");
        w.WriteString("id", id);
        w.WriteString("created", created);
        w.WriteString("modified", created);
        if (createdBy is not null) w.WriteString("created_by_ref", createdBy);
        body();
        w.WriteEndObject();
    }

    private static string FileName(string path) => path[(path.LastIndexOfAny(['/', '\\']) + 1)..];

    /// <summary>A STIX pattern string literal: backslash and quote escaped.</summary>
    internal static string Esc(string s) => s.Replace("\\", "\\\\").Replace("'", "\\'");

    /// <summary>A UUIDv5 (RFC 4122 name-based, SHA-1) STIX identifier.</summary>
    internal static string Id(string type, string name)
    {
        var ns = Namespace.ToByteArray(bigEndian: true);
        var hash = SHA1.HashData([.. ns, .. Encoding.UTF8.GetBytes(type + "|" + name)]);
        var b = hash[..16];
        b[6] = (byte)((b[6] & 0x0F) | 0x50);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return type + "--" + new Guid(b, bigEndian: true).ToString();
    }
}
