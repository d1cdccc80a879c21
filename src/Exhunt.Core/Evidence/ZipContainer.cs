using System.IO.Compression;

namespace Exhunt.Evidence;

/// <summary>
/// One zip of the evidence, read in place: each thread keeps its own <see cref="ZipArchive"/> over its own stream of the
/// backing (the zip file on disk, or the bytes of a zip that sat inside another zip), so entries are read in parallel
/// without re-reading the central directory per entry. Entries are streamed, never extracted.
/// </summary>
internal sealed class ZipContainer : IDisposable
{
    private readonly ThreadLocal<ZipArchive> _perThread;

    public ZipContainer(Func<Stream> openBacking)
    {
        _perThread = new ThreadLocal<ZipArchive>(() => new ZipArchive(openBacking(), ZipArchiveMode.Read), trackAllValues: true);
    }

    /// <summary>Opens the archive on the calling thread; throws InvalidDataException (and IO errors) when it is no zip.</summary>
    public ZipArchive Archive => _perThread.Value!;

    public Stream OpenEntry(int index)
    {
        var entry = Archive.Entries[index];
        return new BoundedReadStream(entry.Open(), entry.Length);
    }

    public void Dispose()
    {
        foreach (var archive in _perThread.Values) archive.Dispose();
        _perThread.Dispose();
    }
}
