namespace Exhunt.Evidence;

/// <summary>One file of the evidence, in a folder or inside a zip. Opening never writes or locks for writing.</summary>
public sealed class EvidenceFile
{
    private readonly Func<Stream> _open;

    public EvidenceFile(string relativePath, long length, DateTime? lastWriteUtc, Func<Stream> open)
    {
        RelativePath = relativePath;
        Length = length;
        LastWriteUtc = lastWriteUtc;
        _open = open;
    }

    /// <summary>Path relative to the scanned root, '/' separators; inside a zip, the entry path.</summary>
    public string RelativePath { get; }
    public long Length { get; }
    public DateTime? LastWriteUtc { get; }
    public ArtifactKind Kind { get; set; }
    /// <summary>The host this file was collected from, from the collection layout (KAPE/Velociraptor host folder,
    /// per-server zip name); null when the layout does not say.</summary>
    public string? Host { get; set; }
    /// <summary>HttpProxy protocol folder (Owa, Ecp ...), when known from the path.</summary>
    public string? Protocol { get; set; }

    /// <summary>An Exchange log's header facts, parsed by the scanner from the bytes its reader read (null: not read;
    /// <see cref="Exhunt.Exposure.LayoutBuildRule"/> then reads the head itself).</summary>
    internal Exhunt.Exposure.ExchangeLogHeader? LogHeader { get; set; }

    /// <summary>The file's own path on disk when it is not inside an archive (a zip there is read in place).</summary>
    internal string? DiskPath { get; init; }

    public string FileName => RelativePath[(RelativePath.LastIndexOf('/') + 1)..];

    /// <summary>Opens a fresh read-only stream; callers dispose it.</summary>
    public Stream Open() => _open();

    public override string ToString() => RelativePath;
}
