using System.Text.Json;
using System.Text.RegularExpressions;

namespace Exhunt.Evidence;

/// <summary>
/// The host a file was collected from, as the collection's layout says it: a KAPE target folder
/// (<c>tout/EXCH01/C/...</c>, <c>2021-03-05T101010_EXCH01/C/...</c>), a top-level folder per host holding a drive or an
/// Exchange install (<c>EXCH01/C/...</c>, <c>EXCH02/V15/Logging/...</c>), a Velociraptor collection's
/// <c>client_info.json</c>, or a per-server archive name (<c>EXCH01.zip</c>, <c>EXCH01_kape.zip</c>,
/// <c>Collection-EXCH01-2021-03-05T10_00_00Z.zip</c>). Null when the layout does not say: a folder the user named
/// is never taken for a host.
/// </summary>
public static class CollectionHosts
{
    private static readonly Regex Velociraptor = new(@"^Collection-(?<h>.+?)(-\d{4}-?\d\d-?\d\d.*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex KapeStamp = new(@"^\d{4}-?\d\d-?\d\d[T_-]?\d{4,6}_(?<h>.+)$", RegexOptions.CultureInvariant);
    private static readonly Regex ToolSuffix = new(@"^(?<h>.+?)[_.-](kape|tkape|triage|collection|collected|velociraptor|evidence|logs|files|target|targets|image|exchange|exch|output|\d{4}-?\d\d-?\d\d.*|\d{8,14})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex HostShape = new(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$", RegexOptions.CultureInvariant);

    // Words collections and copies use for their own folders and archives: never a host.
    private static readonly HashSet<string> Generic = new(StringComparer.OrdinalIgnoreCase)
    {
        "evidence", "collection", "collections", "case", "cases", "kape", "tkape", "triage", "export", "exports", "backup", "backups",
        "archive", "archives", "data", "files", "file", "upload", "uploads", "output", "out", "tout", "mout", "results", "logs", "log",
        "logging", "temp", "tmp", "test", "sample", "samples", "dump", "dumps", "exchange", "exchangeserver", "v14", "v15", "bin",
        "windows", "users", "programdata", "inetpub", "wwwroot", "iis", "velociraptor", "artifacts", "auto", "ntfs", "mft", "raw",
        "hosts", "servers", "server", "httpproxy", "frontend", "clientaccess", "owa", "ecp", "logfiles", "target", "targets",
        "modules", "collected", "images", "image", "vhdx", "new", "copy", "incident", "ir", "forensics", "zip", "zips", "it", "pst",
    };

    // Folders that wrap a drive in a collection: Velociraptor's uploads/auto, uploads/ntfs ...
    private static readonly HashSet<string> Wrappers = new(StringComparer.OrdinalIgnoreCase) { "uploads", "auto", "ntfs", "file", "lazy_ntfs", "ntfs_vss", "mft" };

    // What the first folder of a drive holds on a Windows server.
    private static readonly HashSet<string> DriveChildren = new(StringComparer.OrdinalIgnoreCase)
    {
        "windows", "program files", "program files (x86)", "programdata", "inetpub", "users", "$mft", "$extend", "$logfile", "exchange",
        "exchange server", "exchangeserver", "$recycle.bin", "perflogs", "temp",
    };

    /// <summary>The host an archive's name gives, or null (extension removed; tool prefixes and suffixes removed).</summary>
    public static string? FromArchiveName(string fileName)
    {
        var name = fileName;
        foreach (var ext in new[] { ".zip", ".7z", ".rar", ".vhdx", ".vhd" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { name = name[..^ext.Length]; break; }
        return FromName(name);
    }

    /// <summary>The host a folder or archive stem names, or null.</summary>
    public static string? FromName(string name)
    {
        name = Uri.UnescapeDataString(name.Trim());
        var m = Velociraptor.Match(name);
        if (m.Success) name = m.Groups["h"].Value;
        m = KapeStamp.Match(name);
        if (m.Success) name = m.Groups["h"].Value;
        for (var i = 0; i < 2; i++)
        {
            m = ToolSuffix.Match(name);
            if (m.Success && IsHost(m.Groups["h"].Value)) name = m.Groups["h"].Value;
        }
        return IsHost(name) ? name : null;
    }

    private static bool IsHost(string name) =>
        name.Length is >= 2 and <= 253 && HostShape.IsMatch(name) && !Generic.Contains(name)
        && !name.All(char.IsAsciiDigit) && !name.StartsWith("w3svc", StringComparison.OrdinalIgnoreCase)
        && !Regex.IsMatch(name, @"^\d{4}-?\d\d-?\d\d", RegexOptions.CultureInvariant);

    /// <summary>A drive folder as collections write it: <c>C</c>, <c>C:</c>, <c>C%3A</c>, <c>%5C%5C.%5CC%3A</c>.</summary>
    internal static bool IsDrive(string segment)
    {
        var s = Uri.UnescapeDataString(segment);
        if (s.StartsWith(@"\\.\", StringComparison.Ordinal)) s = s[4..];
        return (s.Length == 1 || (s.Length == 2 && s[1] == ':')) && char.IsAsciiLetter(s[0]);
    }

    /// <summary>Sets <see cref="EvidenceFile.Host"/> on every file from its container and the folders around it.</summary>
    internal static void Assign(List<(EvidenceFile File, ContainerScope Scope)> files)
    {
        var folderHosts = new Dictionary<ContainerScope, Dictionary<string, string>>();
        foreach (var (file, scope) in files)
        {
            var rel = file.RelativePath[scope.Prefix.Length..];
            var segs = rel.Split('/');
            if (!folderHosts.TryGetValue(scope, out var hosts)) folderHosts[scope] = hosts = new(StringComparer.Ordinal);
            if (segs[^1].Equals("client_info.json", StringComparison.OrdinalIgnoreCase) && ReadMetadataHost(file) is { } meta)
            {
                var folder = string.Join('/', segs[..^1]);
                if (folder.Length == 0) scope.MetaHost ??= meta;
                else hosts.TryAdd(folder + "/", meta);
                continue;
            }
            if (HostFolder(segs) is { } at && FromName(segs[at]) is { } host)
                hosts.TryAdd(string.Join('/', segs[..(at + 1)]) + "/", host);
        }
        foreach (var (file, scope) in files)
        {
            var rel = file.RelativePath[scope.Prefix.Length..];
            string? found = null;
            var longest = -1;
            foreach (var (folder, host) in folderHosts[scope])
                if (folder.Length > longest && rel.StartsWith(folder, StringComparison.Ordinal)) { found = host; longest = folder.Length; }
            for (var s = scope; found is null && s is not null; s = s.Parent) found = s.MetaHost ?? s.NameHost;
            file.Host = found;
        }
    }

    /// <summary>
    /// The index of the folder naming a host in a path: the one above a drive folder (past Velociraptor's wrappers),
    /// else the folder holding an Exchange install (past its Program Files/Microsoft/Exchange Server/V15); null when neither.
    /// </summary>
    private static int? HostFolder(string[] segs)
    {
        for (var d = 1; d + 1 < segs.Length; d++)
        {
            if (!IsDrive(segs[d]) || !DriveChildren.Contains(Uri.UnescapeDataString(segs[d + 1]))) continue;
            var j = d - 1;
            while (j >= 0 && Wrappers.Contains(segs[j])) j--;
            return j >= 0 ? j : null;
        }
        var norm = segs.Select(s => EvidencePath.Normalise(s)).ToArray();
        for (var i = 1; i + 1 < norm.Length; i++)
        {
            if (!InstallRoots.IsMarker(norm[i], norm[i + 1])) continue;
            var j = i - 1;
            while (j >= 0 && InstallFolders.Contains(norm[j])) j--;
            return j >= 0 && !IsDrive(segs[j]) ? j : null;
        }
        return null;
    }

    // The folders an Exchange install sits in, above its Logging/FrontEnd/ClientAccess/Bin.
    private static readonly HashSet<string> InstallFolders = new(StringComparer.Ordinal)
        { "v15", "v14", "exchange server", "exchangeserver", "exchange", "microsoft", "program files", "program files (x86)" };

    private static string? ReadMetadataHost(EvidenceFile file)
    {
        if (file.Length is <= 0 or > 1 << 20) return null;
        try
        {
            using var s = file.Open();
            using var doc = JsonDocument.Parse(s, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var key in new[] { "Hostname", "hostname", "Fqdn", "fqdn" })
                if (doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && FromName(v.GetString()!) is { } h)
                    return h;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException or UnauthorizedAccessException) { }
        return null;
    }
}
