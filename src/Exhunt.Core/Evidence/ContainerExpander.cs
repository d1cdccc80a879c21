using System.IO.Compression;

namespace Exhunt.Evidence;

/// <summary>
/// Opens every container in the evidence: zips anywhere in a folder, zips in zips (up to <see cref="MaxDepth"/>), the
/// scanned zip itself. A zip is a container when it holds evidence (logs, event logs, a web root, collection metadata,
/// other zips); any other archive stays a file for the staging rules to judge by place and content. Entries are
/// streamed in place: a zip on disk is read from its file; a zip inside a zip (.NET gives no seekable entry stream) is
/// copied once to a temporary file outside the evidence, deleted when the scan ends, so memory stays flat whatever its
/// size (up to <see cref="NestedZipDiskBudget"/> in all). Only when the temporary folder lies inside the evidence
/// (scanning the temp folder itself) is it held in memory instead, up to <see cref="NestedZipMemoryCap"/> each and
/// <see cref="NestedZipMemoryBudget"/> in all; past either limit it is listed as not read.
/// </summary>
internal sealed class ContainerExpander(EvidenceSource source)
{
    /// <summary>How many containers may enclose a file: a folder's zip, its zip, and two more levels.</summary>
    public const int MaxDepth = 4;
    public const long NestedZipMemoryCap = 256L << 20;
    public const long NestedZipMemoryBudget = 512L << 20;
    public const long NestedZipDiskBudget = 64L << 30;
    /// <summary>Entries listed across all containers: a zip of a million empty entries is a bomb of its own kind.</summary>
    public const int MaxEntries = 2_000_000;
    /// <summary>Entries whose first bytes are read to decide whether a zip holds evidence, when the names do not say.</summary>
    private const int SniffEntries = 16;

    private readonly List<(EvidenceFile File, ContainerScope Scope)> _files = new();
    private long _buffered;
    private long _spilled;
    private string? _spillFolder;
    private bool _spillFolderChosen;
    private int _entries;

    public List<(EvidenceFile File, ContainerScope Scope)> Files => _files;

    /// <summary>A file of the folder (or the single file) given as evidence: opened when it is a container.</summary>
    public void Add(EvidenceFile file, ContainerScope scope, int depth = 0)
    {
        var kind = ArchiveKind(file);
        if (kind is "7z" or "rar")
        {
            source.Containers.Add(new ContainerInfo(file.RelativePath, kind, 0,
                $"{kind} archive not opened: exhunt reads zip containers only; extract it and scan the folder"));
            _files.Add((file, scope));
            return;
        }
        if (kind != "zip" || !TryOpen(file, scope, depth, force: false)) _files.Add((file, scope));
    }

    /// <summary>The zip given as evidence: always a container; throws <see cref="EvidenceUnreadableException"/> when no zip.</summary>
    public void AddRoot(string path)
    {
        var name = Path.GetFileName(path);
        var file = new EvidenceFile(name, new FileInfo(path).Length, null, () => FolderSource.OpenRead(path)) { DiskPath = path };
        var zip = new ZipContainer(() => FolderSource.OpenRead(path));
        try { _ = zip.Archive.Entries.Count; }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            zip.Dispose();
            throw new EvidenceUnreadableException($"'{path}' is not a folder or a readable zip archive: {e.Message}", e);
        }
        List(file, zip, new ContainerScope("", null, CollectionHosts.FromArchiveName(name), source.Containers.Count), depth: 0, rootName: name);
    }

    private bool TryOpen(EvidenceFile file, ContainerScope scope, int depth, bool force)
    {
        if (depth >= MaxDepth)
        {
            // Listed only when its first entries show a collection: an attacker's archive stays a file, as anywhere.
            if (HeadShowsEvidence(file))
                source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0,
                    $"zip inside {depth} containers: not opened (exhunt opens zips {MaxDepth} levels deep); extract it and scan it"));
            return false;
        }
        ZipContainer zip;
        byte[]? held = null;
        string? spilled = null;
        if (file.DiskPath is { } disk) zip = new ZipContainer(() => FolderSource.OpenRead(disk));
        else if (SpillFolder() is { } folder)
        {
            if (_spilled + file.Length > NestedZipDiskBudget)
            {
                if (HeadShowsEvidence(file))
                    source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0,
                        $"zips inside zips are copied to temporary files up to {NestedZipDiskBudget >> 30} GiB in all, and that is used up: not opened; extract it and scan it"));
                return false;
            }
            try { spilled = CopyToTemporaryFile(file, folder); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0, $"zip inside a zip could not be read: {e.Message}"));
                return false;
            }
            _spilled += file.Length;
            source.TemporaryFiles.Add(spilled);
            var copy = spilled;
            zip = new ZipContainer(() => FolderSource.OpenRead(copy));
        }
        else
        {
            if (file.Length > NestedZipMemoryCap || _buffered + file.Length > NestedZipMemoryBudget)
            {
                var why = file.Length > NestedZipMemoryCap
                    ? $"a zip inside a zip is read in memory up to {NestedZipMemoryCap >> 20} MiB; this one is {file.Length >> 20} MiB"
                    : $"zips inside zips are read in memory up to {NestedZipMemoryBudget >> 20} MiB in all, and that is used up";
                if (HeadShowsEvidence(file))
                    source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0, why + ": not opened; extract it and scan it"));
                return false;
            }
            try
            {
                held = new byte[file.Length];
                using var s = file.Open();
                var n = s.ReadAtLeast(held, held.Length, throwOnEndOfStream: false);
                if (n < held.Length) throw new InvalidDataException($"entry ends after {n:N0} of {held.Length:N0} bytes");
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0, $"zip inside a zip could not be read: {e.Message}"));
                return false;
            }
            var bytes = held;
            zip = new ZipContainer(() => new MemoryStream(bytes, writable: false));
        }
        try
        {
            var archive = zip.Archive;
            if (!force && !HoldsEvidence(zip, archive))
            {
                zip.Dispose();
                Forget(spilled);
                return false;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            zip.Dispose();
            Forget(spilled);
            source.Containers.Add(new ContainerInfo(file.RelativePath, "zip", 0, $"zip archive cannot be opened: {e.Message}"));
            return false;
        }
        if (held is not null) _buffered += held.Length;
        List(file, zip, new ContainerScope(file.RelativePath + "/", scope, CollectionHosts.FromArchiveName(file.FileName), source.Containers.Count), depth, rootName: null);
        return true;
    }

    /// <summary>The system temporary folder, unless it lies inside the evidence (nothing is ever written there).</summary>
    private string? SpillFolder()
    {
        if (_spillFolderChosen) return _spillFolder;
        _spillFolderChosen = true;
        try
        {
            var temp = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.GetTempPath()));
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source.Root));
            var inside = Directory.Exists(root)
                && (temp.Equals(root, StringComparison.Ordinal) || temp.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
            _spillFolder = inside || !Directory.Exists(temp) ? null : temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _spillFolder = null;
        }
        return _spillFolder;
    }

    private static string CopyToTemporaryFile(EvidenceFile file, string folder)
    {
        var path = Path.Combine(folder, $"exhunt-nested-{Guid.NewGuid():N}.zip");
        try
        {
            using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var s = file.Open();
            s.CopyTo(target);
            if (target.Length < file.Length) throw new InvalidDataException($"entry ends after {target.Length:N0} of {file.Length:N0} bytes");
            return path;
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    private void Forget(string? spilled)
    {
        if (spilled is null) return;
        source.TemporaryFiles.Remove(spilled);
        TryDelete(spilled);
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private void List(EvidenceFile file, ZipContainer zip, ContainerScope scope, int depth, string? rootName)
    {
        source.Opened.Add(zip);
        var at = source.Containers.Count;
        source.Containers.Add(new ContainerInfo(rootName ?? file.RelativePath, "zip", 0, null));
        var entries = zip.Archive.Entries;
        var count = 0;
        string? problem = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\')) continue;
            if (++_entries > MaxEntries)
            {
                problem = $"only the first {MaxEntries:N0} entries of the evidence were listed";
                break;
            }
            var name = SafeEntryName(entry.FullName, i, out var climbed);
            if (climbed) source.ListingErrors.Add($"'{scope.Prefix}{entry.FullName}' names a path outside its container: read as '{scope.Prefix}{name}'");
            var index = i;
            DateTime? written;
            try { written = entry.LastWriteTime.UtcDateTime; } catch (ArgumentOutOfRangeException) { written = null; }
            var inner = new EvidenceFile(scope.Prefix + name, entry.Length, written, () => zip.OpenEntry(index));
            count++;
            Add(inner, scope, depth + 1);
        }
        source.Containers[at] = source.Containers[at] with { Files = count, Problem = problem };
    }

    /// <summary>
    /// The entry path with '\' as '/', and no empty, "." or ".." segments: no entry can claim to sit outside its
    /// container (zip slip) or beside another container's files.
    /// </summary>
    internal static string SafeEntryName(string fullName, int index, out bool climbed)
    {
        var segs = fullName.Replace('\\', '/').Split('/');
        climbed = fullName.StartsWith('/') || fullName.StartsWith('\\') || segs.Contains("..");
        var kept = segs.Where(s => s.Length > 0 && s != "." && s != "..").ToArray();
        return kept.Length == 0 ? $"(entry {index + 1})" : string.Join('/', kept);
    }

    // Names that cannot be an archive: not opened just to look at their first bytes.
    private static readonly string[] NotArchives = [".log", ".evtx", ".txt", ".json", ".jsonl", ".csv", ".xml", ".etl", ".config",
        ".aspx", ".ashx", ".asmx", ".js", ".css", ".htm", ".html", ".dll", ".exe", ".png", ".gif", ".jpg", ".svg", ".ico", ".resx", ".pf", ".lnk"];

    private static string? ArchiveKind(EvidenceFile file)
    {
        if (file.Length < 22) return null; // the smallest zip (an empty one) is 22 bytes
        var name = file.FileName;
        foreach (var ext in NotArchives) if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return null;
        Span<byte> head = stackalloc byte[6];
        try
        {
            using var s = file.Open();
            if (s.ReadAtLeast(head, 6, throwOnEndOfStream: false) < 6) return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            return null; // the scan reports the read failure when it reads the file
        }
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return "zip";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])) return "7z";
        if (head.StartsWith("Rar!\x1A\x07"u8)) return "rar";
        return null;
    }

    // Folders and names only collections hold (facts §2: Exchange and IIS log folders; Velociraptor's own files).
    private static readonly string[] EvidenceFolders = ["logging/httpproxy/", "logging/ecp/", "logging/cmdletinfra/", "logging/oabgeneratorlog/",
        "inetpub/logs/", "logfiles/w3svc", "inetpub/wwwroot/", "frontend/httpproxy/", "clientaccess/owa/", "clientaccess/ecp/",
        "uploads/auto/", "uploads/ntfs/", "winevt/logs/"];
    private static readonly string[] CollectionFiles = ["client_info.json", "collection_context.json", "uploads.json"];

    private static bool NameShowsEvidence(string entryName)
    {
        var path = EvidencePath.Normalise(entryName);
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (name.EndsWith(".evtx", StringComparison.Ordinal) || CollectionFiles.Contains(name)) return true;
        if (name.EndsWith(".log", StringComparison.Ordinal) && (name.StartsWith("u_ex", StringComparison.Ordinal)
            || name.StartsWith("httpproxy_", StringComparison.Ordinal) || name.StartsWith("ecpserver", StringComparison.Ordinal)
            || name.StartsWith("rps_", StringComparison.Ordinal))) return true;
        foreach (var folder in EvidenceFolders)
            if (path.StartsWith(folder, StringComparison.Ordinal) || path.Contains("/" + folder, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>A zip that will not be opened: whether the entry names in its first 64 KiB (local headers) show a collection.</summary>
    private static bool HeadShowsEvidence(EvidenceFile file)
    {
        try
        {
            var head = new byte[64 * 1024];
            int n;
            using (var s = file.Open()) n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var names = Detection.Files.ArchiveContents.FirstNames(head.AsSpan(0, n), max: 256);
            return names.Any(NameShowsEvidence) || names.Any(x => x.EndsWith(".zip", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            return true; // unknown: listed, so that nothing goes unsaid
        }
    }

    /// <summary>
    /// Whether a zip holds evidence (a collection), by its entry names, else by the first bytes of its first entries.
    /// A zip of zips is a container too (a case folder zipped): each inner zip is judged in turn.
    /// </summary>
    private static bool HoldsEvidence(ZipContainer zip, ZipArchive archive)
    {
        var holdsArchives = false;
        foreach (var entry in archive.Entries)
        {
            if (NameShowsEvidence(entry.FullName)) return true;
            if (entry.FullName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) holdsArchives = true;
        }
        var sniffed = 0;
        var head = new byte[ArtifactClassifier.SniffBytes];
        for (var i = 0; i < archive.Entries.Count && sniffed < SniffEntries; i++)
        {
            var entry = archive.Entries[i];
            if (entry.Length == 0 || entry.FullName.EndsWith('/')) continue;
            sniffed++;
            try
            {
                int n;
                using (var s = zip.OpenEntry(i)) n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
                var probe = new EvidenceFile(entry.FullName.Replace('\\', '/'), entry.Length, null, () => Stream.Null);
                ArtifactClassifier.Classify(probe, head.AsSpan(0, n));
                if (probe.Kind.IsLog() || probe.Kind is ArtifactKind.IisConfig) return true;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException) { }
        }
        return holdsArchives;
    }
}

/// <summary>Where a file was found: the scanned root (prefix "") or a container (prefix "x/EXCH01.zip/").</summary>
internal sealed class ContainerScope(string prefix, ContainerScope? parent, string? nameHost, int containerIndex)
{
    public string Prefix { get; } = prefix;
    public ContainerScope? Parent { get; } = parent;
    /// <summary>The host the container's own name gives (EXCH01.zip, Collection-EXCH01-....zip).</summary>
    public string? NameHost { get; } = nameHost;
    /// <summary>Index in <see cref="EvidenceSource.Containers"/>; -1 for a folder root.</summary>
    public int ContainerIndex { get; } = containerIndex;
    /// <summary>The host the container's metadata names (Velociraptor client_info.json), when it has some.</summary>
    public string? MetaHost { get; set; }
}
