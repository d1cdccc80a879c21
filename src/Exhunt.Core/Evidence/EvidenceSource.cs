namespace Exhunt.Evidence;

/// <summary>
/// A folder, a zip or one file of evidence, with every container in it opened (<see cref="ContainerExpander"/>).
/// Everything is opened read-only and shared; nothing is extracted to disk.
/// </summary>
public abstract class EvidenceSource : IDisposable
{
    private List<EvidenceFile>? _files;

    /// <summary>The path as the user gave it.</summary>
    public required string Root { get; init; }

    /// <summary>Problems met while listing (unreadable folders ...), reported, never fatal.</summary>
    public List<string> ListingErrors { get; } = new();

    /// <summary>Every archive met as a container, opened or not (with the reason), in the order found.</summary>
    public List<ContainerInfo> Containers { get; } = new();

    internal List<ZipContainer> Opened { get; } = new();
    /// <summary>Copies of zips found inside zips, in the system temp folder (never in the evidence); deleted on dispose.</summary>
    internal List<string> TemporaryFiles { get; } = new();

    /// <summary>Every file of the evidence, containers' entries included, each with the host its layout names.</summary>
    public IEnumerable<EvidenceFile> EnumerateFiles()
    {
        if (_files is not null) return _files;
        var expander = new ContainerExpander(this);
        List(expander);
        CollectionHosts.Assign(expander.Files);
        foreach (var (_, scope) in expander.Files.DistinctBy(f => f.Scope))
            if (scope.ContainerIndex >= 0)
                Containers[scope.ContainerIndex] = Containers[scope.ContainerIndex] with { Host = scope.MetaHost ?? scope.NameHost };
        return _files = expander.Files.Select(f => f.File).ToList();
    }

    /// <summary>Hands the source's own files (or its root zip) to the expander.</summary>
    private protected abstract void List(ContainerExpander expander);

    public virtual void Dispose()
    {
        foreach (var zip in Opened) zip.Dispose();
        Opened.Clear();
        foreach (var path in TemporaryFiles) ContainerExpander.TryDelete(path);
        TemporaryFiles.Clear();
    }

    /// <summary>Opens PATH as a folder or a zip; throws <see cref="EvidenceUnreadableException"/> when neither.</summary>
    public static EvidenceSource Open(string path)
    {
        if (Directory.Exists(path)) return new FolderSource(path) { Root = path };
        if (!File.Exists(path)) throw new EvidenceUnreadableException($"'{path}' does not exist.");
        // A zip is scanned as a collection; any other single file (one .evtx, one log) as evidence of its own.
        // A file named .zip that is not one is an error, not a one-file scan of garbage.
        if (LooksLikeZip(path) || path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) return ZipSource.OpenZip(path);
        return new SingleFileSource(path) { Root = path };
    }

    private static bool LooksLikeZip(string path)
    {
        try
        {
            using var s = FolderSource.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            return s.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == (byte)'P' && head[1] == (byte)'K'
                && (head[2], head[3]) is (3, 4) or (5, 6);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceUnreadableException($"'{path}' cannot be read: {e.Message}", e);
        }
    }
}

/// <summary>One file given as PATH: its report path is its file name.</summary>
internal sealed class SingleFileSource(string file) : EvidenceSource
{
    private protected override void List(ContainerExpander expander)
    {
        var info = new FileInfo(file);
        expander.Add(new EvidenceFile(info.Name, info.Length, info.LastWriteTimeUtc, () => FolderSource.OpenRead(file)) { DiskPath = file },
            new ContainerScope("", null, null, -1));
    }
}

public sealed class EvidenceUnreadableException(string message, Exception? inner = null) : Exception(message, inner);

internal sealed class FolderSource(string folder) : EvidenceSource
{
    private readonly string _full = Path.GetFullPath(folder);

    /// <summary>
    /// Every regular file under the folder, depth first, in name order. Links (symbolic links, junctions) are never
    /// followed — they could lead outside the evidence or loop — but each one is reported, so nothing is left out silently.
    /// </summary>
    private protected override void List(ContainerExpander expander)
    {
        var root = new ContainerScope("", null, null, -1);
        foreach (var file in Files()) expander.Add(file, root);
    }

    private IEnumerable<EvidenceFile> Files()
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        var pending = new Stack<string>();
        pending.Push(_full);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            List<FileSystemInfo> entries;
            try { entries = new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options).OrderBy(e => e.Name, StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                ListingErrors.Add($"cannot list '{Relative(dir)}': {e.Message}");
                continue;
            }
            var subdirs = new List<string>();
            foreach (var entry in entries)
            {
                var rel = Relative(entry.FullName);
                if (entry.Attributes.HasFlag(FileAttributes.ReparsePoint) || entry.LinkTarget is not null)
                {
                    ListingErrors.Add($"'{rel}' is a link (to '{entry.LinkTarget ?? "?"}'): not followed");
                    continue;
                }
                if (entry is DirectoryInfo) { subdirs.Add(entry.FullName); continue; }
                var info = (FileInfo)entry;
                long length;
                try { length = info.Length; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    ListingErrors.Add($"cannot stat '{rel}': {e.Message}");
                    continue;
                }
                var full = info.FullName;
                // A named pipe or device also reports length 0, and opening one can block or never end: an empty
                // file has nothing to read anyway, so it is never opened.
                yield return new EvidenceFile(rel, length, info.LastWriteTimeUtc, length == 0 ? () => new MemoryStream([], writable: false) : () => OpenRead(full))
                {
                    DiskPath = length == 0 ? null : full,
                };
            }
            for (var i = subdirs.Count - 1; i >= 0; i--) pending.Push(subdirs[i]);
        }
    }

    private string Relative(string full) => Path.GetRelativePath(_full, full).Replace('\\', '/');

    internal static Stream OpenRead(string full) => new FileStream(full, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        Options = FileOptions.SequentialScan,
        BufferSize = 0,
    });
}

/// <summary>The zip given as evidence: a container whose entries keep their own paths (no prefix).</summary>
internal sealed class ZipSource : EvidenceSource
{
    private readonly string _path;
    private ZipSource(string path) => _path = path;

    public static ZipSource OpenZip(string path)
    {
        try
        {
            using (var probe = new System.IO.Compression.ZipArchive(FolderSource.OpenRead(path), System.IO.Compression.ZipArchiveMode.Read)) { _ = probe.Entries.Count; }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new EvidenceUnreadableException($"'{path}' is not a folder or a readable zip archive: {e.Message}", e);
        }
        return new ZipSource(path) { Root = path };
    }

    private protected override void List(ContainerExpander expander) => expander.AddRoot(_path);
}
