using System.Text;

namespace Exhunt.Evidence;

/// <summary>Decides what a file is: by content first (magic bytes, log headers, line shape), by path second.</summary>
public static class ArtifactClassifier
{
    public const int SniffBytes = 4096;

    private static readonly string[] PageExtensions = [".aspx", ".ashx", ".asmx", ".asax", ".asp", ".cshtml", ".config", ".php", ".jsp"];

    public static void Classify(EvidenceFile file, ReadOnlySpan<byte> head)
    {
        var path = EvidencePath.Normalise(file.RelativePath);
        file.Protocol = HttpProxyProtocol(path);
        file.Kind = ByContent(head, path) ?? ByPath(path, head) ?? ArtifactKind.Unrecognised;
    }

    private static ArtifactKind? ByContent(ReadOnlySpan<byte> head, string path)
    {
        if (head.StartsWith("ElfFile\0"u8)) return ArtifactKind.Evtx;
        if (head.StartsWith("MDMP"u8)) return ArtifactKind.Minidump;
        if (head.StartsWith("!BDN"u8)) return path.EndsWith(".pst") || !HasPageExtension(path) ? ArtifactKind.Pst : ArtifactKind.WebPage;
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8) || head.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])
            || head.StartsWith("Rar!\x1A\x07"u8) || head.StartsWith("MSCF"u8))
            return ArtifactKind.Archive;
        if (head.StartsWith("MZ"u8)) return ArtifactKind.Executable;

        var text = DecodeHead(head);
        if (text.StartsWith("#Software: Microsoft Exchange Server", StringComparison.OrdinalIgnoreCase))
            return ExchangeLogType(text) ?? ByLineShape(FirstDataLine(text)) ?? ByPath(path, head) ?? ArtifactKind.ExchangeLog;
        if (text.StartsWith("#Software: Microsoft Internet Information Services", StringComparison.OrdinalIgnoreCase))
            return ArtifactKind.Iis;
        if (text.StartsWith("{", StringComparison.Ordinal) && LooksLikeEventJson(text)) return ArtifactKind.EventJson;
        // Excerpts and hand copies keep data lines without their header: the line shape says which log it is,
        // wherever the file sits and whatever it is called.
        var shape = ByLineShape(FirstDataLine(text));
        if (shape == ArtifactKind.EcpServer && path.Contains("/ecp/activity/")) return ArtifactKind.EcpActivity;
        return shape;
    }

    private static string FirstDataLine(string text)
    {
        foreach (var line in text.Split('\n'))
            if (line.Length > 0 && line[0] != '#') return line.TrimEnd('\r');
        return "";
    }

    private static readonly System.Text.RegularExpressions.Regex IsoPrefix = new(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z,", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private const string GuidPattern = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    private const string Iso = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z";

    /// <summary>
    /// The Exchange or IIS log a header-less data line belongs to, from its leading columns (facts §2.1-2.6):
    /// HttpProxy <c>DateTime,RequestId(guid),Major,Minor,Build,Revision,</c>; ECP <c>TimeStamp,ServerName,ECP.*,</c>;
    /// Rps http <c>DateTime,StartTime,RequestId,Major,...</c>; Rps cmdlet <c>DateTime,StartTime,RequestId,ClientRequestId,Major,...</c>.
    /// </summary>
    private static ArtifactKind? ByLineShape(string line)
    {
        if (line.Length < 20) return null;
        if (LooksLikeIisLine(line)) return ArtifactKind.Iis;
        if (!IsoPrefix.IsMatch(line)) return null;
        if (LooksLikeHttpProxyLine(line)) return ArtifactKind.HttpProxy;
        if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^" + Iso + @",[^,""]{1,255},ECP\.[A-Za-z]+,")) return ArtifactKind.EcpServer;
        if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^" + Iso + "," + Iso + "," + GuidPattern + @",\d+,\d+,\d+,\d+,")) return ArtifactKind.RpsHttp;
        if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^" + Iso + "," + Iso + "," + GuidPattern + @",[^,]*,\d+,\d+,\d+,\d+,")) return ArtifactKind.RpsCmdlet;
        return null;
    }

    private static ArtifactKind? ExchangeLogType(string text)
    {
        var i = text.IndexOf("#Log-type:", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return null;
        var end = text.IndexOfAny(['\r', '\n'], i);
        var type = text[(i + 10)..(end < 0 ? text.Length : end)].Trim();
        return type.ToLowerInvariant() switch
        {
            "httpproxy logs" => ArtifactKind.HttpProxy,
            "ecp server log" => ArtifactKind.EcpServer,
            "ecp activity context log" => ArtifactKind.EcpActivity,
            "rps cmdlet logs" => ArtifactKind.RpsCmdlet,
            "rps http logs" => ArtifactKind.RpsHttp,
            _ when type.Contains("OAB", StringComparison.OrdinalIgnoreCase) => ArtifactKind.OabGenerator,
            _ => null,
        };
    }

    private static ArtifactKind? ByPath(string path, ReadOnlySpan<byte> head)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var isLogName = name.EndsWith(".log") || name.EndsWith(".txt");
        if (name.EndsWith(".evtx")) return ArtifactKind.Evtx;
        if (name == "applicationhost.config") return ArtifactKind.IisConfig;
        if (isLogName)
        {
            if (path.Contains("/httpproxy/") && path.Contains("logging") || name.StartsWith("httpproxy_")) return ArtifactKind.HttpProxy;
            if (path.Contains("/ecp/server/") || name.StartsWith("ecpserver")) return ArtifactKind.EcpServer;
            if (path.Contains("/ecp/activity/") || name.StartsWith("ecpactivity")) return ArtifactKind.EcpActivity;
            if (path.Contains("/oabgeneratorlog/") || name.StartsWith("oabgenerator")) return ArtifactKind.OabGenerator;
            if (name.Contains("rps_cmdlet_") || path.Contains("/cmdletinfra/") && path.Contains("/cmdlet/")) return ArtifactKind.RpsCmdlet;
            if (name.Contains("rps_http_") || path.Contains("/cmdletinfra/") && path.Contains("/http/")) return ArtifactKind.RpsHttp;
            if (System.Text.RegularExpressions.Regex.IsMatch(path, @"(^|/)w3svc\d+/") || name.StartsWith("u_ex")) return ArtifactKind.Iis;
            if (path.Contains("/logging/")) return ArtifactKind.ExchangeLog;
        }
        if (name.EndsWith(".json") || name.EndsWith(".jsonl") || name.EndsWith(".ndjson"))
            if (LooksLikeEventJson(DecodeHead(head))) return ArtifactKind.EventJson;
        if (HasPageExtension(path) && IsWebRoot(path)) return ArtifactKind.WebPage;
        return null;
    }

    private static bool HasPageExtension(string path)
    {
        foreach (var ext in PageExtensions) if (path.EndsWith(ext, StringComparison.Ordinal)) return true;
        return false;
    }

    private static readonly string[] WebRootFolders = ["wwwroot/", "frontend/httpproxy/", "clientaccess/", "aspnet_client/", "owa/auth/", "ecp/auth/", "programdata/"];

    /// <summary>
    /// Folders IIS serves for Exchange: the default web root and the Exchange front/back end trees, matched on whole
    /// folder names wherever the collection put them (<c>C/inetpub/wwwroot/</c>, a flat <c>wwwroot/</c> copy ...).
    /// </summary>
    public static bool IsWebRoot(string normalisedPath)
    {
        if (normalisedPath.StartsWith("owa/", StringComparison.Ordinal) || normalisedPath.StartsWith("ecp/", StringComparison.Ordinal)) return true;
        foreach (var folder in WebRootFolders)
        {
            var i = normalisedPath.IndexOf(folder, StringComparison.Ordinal);
            while (i >= 0)
            {
                if (i == 0 || normalisedPath[i - 1] == '/') return true;
                i = normalisedPath.IndexOf(folder, i + 1, StringComparison.Ordinal);
            }
        }
        return false;
    }

    // The protocol folders Exchange writes under Logging\HttpProxy (facts §2.2), in Exchange's spelling.
    private static readonly string[] KnownProtocols = ["Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Oab", "Owa", "OwaCalendar", "PowerShell", "RpcHttp", "RestService", "PushNotifications", "ReportingWebService", "E4e", "O365SuiteService", "Xrop", "SnackyService", "MicroService", "OutlookService"];

    /// <summary>
    /// The HttpProxy protocol folder when the path names one, in Exchange's own spelling (Owa, Ecp, PowerShell ...)
    /// whatever case the collection gave it; an unknown folder keeps its name as found.
    /// </summary>
    public static string? HttpProxyProtocol(string normalisedPath)
    {
        var i = normalisedPath.LastIndexOf("httpproxy/", StringComparison.Ordinal);
        if (i < 0 || (i > 0 && normalisedPath[i - 1] != '/')) return null;
        var rest = normalisedPath.AsSpan(i + 10);
        var slash = rest.IndexOf('/');
        if (slash <= 0) return null;
        var folder = rest[..slash];
        foreach (var known in KnownProtocols)
            if (folder.Equals(known, StringComparison.OrdinalIgnoreCase)) return known;
        return folder.ToString();
    }

    private static string DecodeHead(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) head = head[3..]; // UTF-8 BOM (a u8 literal would re-encode \xEF as two bytes)
        if (head.Length >= 2 && head[0] == 0xFF && head[1] == 0xFE) return Encoding.Unicode.GetString(head[2..]);
        return Encoding.UTF8.GetString(head);
    }

    // 2021-03-07T15:04:04.546Z,<guid>,...  (an HttpProxy data line without its header)
    private static bool LooksLikeHttpProxyLine(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z,[0-9a-fA-F-]{36},\d+,\d+,\d+,\d+,");

    // 2021-03-05 03:06:27 ... GET /owa/...  (a W3C line without its header)
    private static bool LooksLikeIisLine(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ .*?\b(GET|POST|HEAD|PUT|OPTIONS|RPC_IN_DATA|RPC_OUT_DATA) /");

    private static bool LooksLikeEventJson(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line.Contains("\"EventID\"", StringComparison.OrdinalIgnoreCase) || line.Contains("\"event_id\"", StringComparison.Ordinal)
            || line.Contains("\"winlog\"", StringComparison.Ordinal) || line.Contains("\"Channel\"", StringComparison.Ordinal);
    }
}
