using System.IO.Compression;

namespace Exhunt.Evidence;

/// <summary>A folder or a zip of evidence. Everything is opened read-only and shared; nothing is extracted to disk.</summary>
public abstract class EvidenceSource : IDisposable
{
    /// <summary>The path as the user gave it.</summary>
    public required string Root { get; init; }

    /// <summary>Problems met while listing (unreadable folders ...), reported, never fatal.</summary>
    public List<string> ListingErrors { get; } = new();

    public abstract IEnumerable<EvidenceFile> EnumerateFiles();

    public virtual void Dispose() { }

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
    public override IEnumerable<EvidenceFile> EnumerateFiles()
    {
        var info = new FileInfo(file);
        yield return new EvidenceFile(info.Name, info.Length, info.LastWriteTimeUtc, () => FolderSource.OpenRead(file));
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
    public override IEnumerable<EvidenceFile> EnumerateFiles()
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
                yield return new EvidenceFile(rel, length, info.LastWriteTimeUtc, length == 0 ? () => new MemoryStream([], writable: false) : () => OpenRead(full));
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

/// <summary>
/// Zip entries are read as streams. Each thread keeps its own <see cref="ZipArchive"/> over its own file handle,
/// so files are read in parallel without re-reading the central directory per entry.
/// </summary>
internal sealed class ZipSource : EvidenceSource
{
    private readonly string _path;
    private readonly ThreadLocal<ZipArchive> _perThread;

    private ZipSource(string path)
    {
        _path = path;
        _perThread = new ThreadLocal<ZipArchive>(() => new ZipArchive(FolderSource.OpenRead(_path), ZipArchiveMode.Read), trackAllValues: true);
    }

    public static ZipSource OpenZip(string path)
    {
        try
        {
            using (var probe = new ZipArchive(FolderSource.OpenRead(path), ZipArchiveMode.Read)) { _ = probe.Entries.Count; }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new EvidenceUnreadableException($"'{path}' is not a folder or a readable zip archive: {e.Message}", e);
        }
        return new ZipSource(path) { Root = path };
    }

    public override IEnumerable<EvidenceFile> EnumerateFiles()
    {
        var entries = _perThread.Value!.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\')) continue;
            var index = i;
            var name = entry.FullName.Replace('\\', '/').TrimStart('/');
            yield return new EvidenceFile(name, entry.Length, entry.LastWriteTime.UtcDateTime, () => _perThread.Value!.Entries[index].Open());
        }
    }

    public override void Dispose()
    {
        foreach (var archive in _perThread.Values) archive.Dispose();
        _perThread.Dispose();
    }
}
