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
        return ZipSource.OpenZip(path);
    }
}

public sealed class EvidenceUnreadableException(string message, Exception? inner = null) : Exception(message, inner);

internal sealed class FolderSource(string folder) : EvidenceSource
{
    private readonly string _full = Path.GetFullPath(folder);

    public override IEnumerable<EvidenceFile> EnumerateFiles()
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            // Links could lead outside the evidence or loop; collections never need them.
            AttributesToSkip = FileAttributes.ReparsePoint,
            MatchCasing = MatchCasing.CaseInsensitive,
        };
        IEnumerable<string> paths;
        try { paths = Directory.EnumerateFiles(_full, "*", options); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ListingErrors.Add($"cannot list '{_full}': {e.Message}");
            yield break;
        }
        foreach (var full in paths)
        {
            FileInfo info;
            try { info = new FileInfo(full); _ = info.Length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ListingErrors.Add($"cannot stat '{full}': {e.Message}");
                continue;
            }
            var rel = Path.GetRelativePath(_full, full).Replace('\\', '/');
            yield return new EvidenceFile(rel, info.Length, info.LastWriteTimeUtc, () => OpenRead(full));
        }
    }

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
