using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;

namespace Exhunt.Scanning;

/// <summary>What the records of one artifact said about one host: how many, when, and whether any could show
/// exploitation of Exchange (see <see cref="ExchangeSignals"/>).</summary>
public sealed class HostObservation
{
    public long Records { get; set; }
    /// <summary>Records that could show exploitation (Exchange or IIS log lines; Exchange-relevant events).</summary>
    public long Relevant { get; set; }
    public DateTime? First { get; private set; }
    public DateTime? Last { get; private set; }
    public bool Exchange { get; set; }

    public void See(DateTime? t, bool relevant)
    {
        Records++;
        if (!relevant) return;
        Relevant++;
        if (t is not { } v) return;
        if (First is null || v < First) First = v;
        if (Last is null || v > Last) Last = v;
    }
}

/// <summary>The hosts one artifact's records name (event Computer, log server field); bounded against hostile input.</summary>
public sealed class HostTally
{
    public const int MaxHosts = 64;
    private readonly Dictionary<string, HostObservation> _hosts = new(StringComparer.Ordinal);

    /// <summary>Records that named no host (or one beyond the cap): they count towards the artifact's own host.</summary>
    public HostObservation Unnamed { get; } = new();

    public IReadOnlyDictionary<string, HostObservation> Hosts => _hosts;

    /// <summary>The observation for a host name as written (normalised here); <see cref="Unnamed"/> when none.</summary>
    public HostObservation For(string? rawName)
    {
        if (HostName.Normalize(rawName) is not { } host) return Unnamed;
        if (_hosts.TryGetValue(host, out var o)) return o;
        if (_hosts.Count >= MaxHosts) return Unnamed;
        return _hosts[host] = new HostObservation();
    }

    /// <summary>The host most records name, or null.</summary>
    public string? Dominant => _hosts.Count == 0 ? null : _hosts.MaxBy(kv => kv.Value.Records).Key;
}

/// <summary>
/// What makes evidence able to show exploitation of Exchange, and what makes a host an Exchange server.
/// Relevant events: any MSExchange channel or provider, Sysmon, Security 4688 process creation, Defender, IIS.
/// Exchange hosts: MSExchange channels/providers, an MSExchange app pool in a process event, Exchange's own logs,
/// Exchange URLs in IIS logs (/owa, /ecp, /ews ...), files under an Exchange install root.
/// </summary>
public static class ExchangeSignals
{
    private static readonly string[] ExchangeUrls =
        ["/owa/", "/ecp/", "/ews/", "/autodiscover/", "/mapi/", "/oab/", "/rpc/", "/microsoft-server-activesync", "/powershell"];

    public static bool IsExchangeEvent(WinEvent e) =>
        e.Channel.Contains("Exchange", StringComparison.OrdinalIgnoreCase)
        || e.Provider.Contains("MSExchange", StringComparison.OrdinalIgnoreCase)
        || (IsProcessStart(e) && e.AnyDataContains("MSExchange"));

    public static bool IsRelevantEvent(WinEvent e) =>
        IsExchangeEvent(e)
        || e.Channel.Contains("Sysmon", StringComparison.OrdinalIgnoreCase)
        || e.Channel.Contains("Windows Defender", StringComparison.OrdinalIgnoreCase)
        || e.Provider.Contains("IIS", StringComparison.OrdinalIgnoreCase) || e.Provider.Contains("W3SVC", StringComparison.OrdinalIgnoreCase)
        || (e.EventId == 4688 && e.Channel.Equals("Security", StringComparison.OrdinalIgnoreCase));

    private static bool IsProcessStart(WinEvent e) =>
        (e.EventId == 1 && e.Channel.Contains("Sysmon", StringComparison.OrdinalIgnoreCase))
        || (e.EventId == 4688 && e.Channel.Equals("Security", StringComparison.OrdinalIgnoreCase));

    /// <summary>Exchange's own logs (not IIS: any web server writes those).</summary>
    public static bool IsExchangeLogKind(ArtifactKind k) => k is ArtifactKind.HttpProxy or ArtifactKind.EcpServer
        or ArtifactKind.EcpActivity or ArtifactKind.OabGenerator or ArtifactKind.RpsCmdlet or ArtifactKind.RpsHttp
        or ArtifactKind.ExchangeLog;

    public static bool IsExchangeUrl(ReadOnlySpan<char> urlStem)
    {
        foreach (var u in ExchangeUrls)
            if (urlStem.StartsWith(u.AsSpan(0, u.Length - (u.EndsWith('/') ? 1 : 0)), StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>A finding that names Exchange itself: an MSExchange app pool, the install folder.</summary>
    public static bool NamesExchange(Finding f) =>
        (f.Evidence?.Contains("MSExchange", StringComparison.OrdinalIgnoreCase) ?? false)
        || (f.Evidence?.Contains("\\Exchange Server\\", StringComparison.OrdinalIgnoreCase) ?? false)
        || (f.Details?.Values.Any(v => v.Contains("MSExchange", StringComparison.OrdinalIgnoreCase)) ?? false);
}
