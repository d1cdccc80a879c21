namespace Exhunt.Evidence;

/// <summary>What a file in the evidence is. Wire names are stable: they appear in the JSON report.</summary>
public enum ArtifactKind
{
    Unrecognised,
    HttpProxy,
    EcpServer,
    EcpActivity,
    OabGenerator,
    Iis,
    RpsCmdlet,
    RpsHttp,
    /// <summary>Other Exchange CSV logs (EWS, message tracking ...): counted, not yet read.</summary>
    ExchangeLog,
    Evtx,
    /// <summary>JSON-lines export of Windows events (Winlogbeat-style).</summary>
    EventJson,
    Minidump,
    Executable,
    Pst,
    Archive,
    /// <summary>Server-side page or handler under a web root (.aspx, .ashx, .asmx ...).</summary>
    WebPage,
    IisConfig,
}

public static class ArtifactKindNames
{
    public static string ToWire(this ArtifactKind kind) => kind switch
    {
        ArtifactKind.HttpProxy => "httpproxy",
        ArtifactKind.EcpServer => "ecp-server",
        ArtifactKind.EcpActivity => "ecp-activity",
        ArtifactKind.OabGenerator => "oab-generator",
        ArtifactKind.Iis => "iis",
        ArtifactKind.RpsCmdlet => "rps-cmdlet",
        ArtifactKind.RpsHttp => "rps-http",
        ArtifactKind.ExchangeLog => "exchange-log",
        ArtifactKind.Evtx => "evtx",
        ArtifactKind.EventJson => "event-json",
        ArtifactKind.Minidump => "minidump",
        ArtifactKind.Executable => "executable",
        ArtifactKind.Pst => "pst",
        ArtifactKind.Archive => "archive",
        ArtifactKind.WebPage => "web-page",
        ArtifactKind.IisConfig => "iis-config",
        _ => "unrecognised",
    };

    /// <summary>Kinds whose records carry timestamps and make up the coverage window.</summary>
    public static bool IsLog(this ArtifactKind kind) => kind is ArtifactKind.HttpProxy or ArtifactKind.EcpServer
        or ArtifactKind.EcpActivity or ArtifactKind.OabGenerator or ArtifactKind.Iis or ArtifactKind.RpsCmdlet
        or ArtifactKind.RpsHttp or ArtifactKind.Evtx or ArtifactKind.EventJson;
}
