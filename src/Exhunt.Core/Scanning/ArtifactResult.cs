using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Scanning;

/// <summary>What the scan made of one file.</summary>
public sealed class ArtifactResult(EvidenceFile file)
{
    public EvidenceFile File { get; } = file;
    public ReaderStats Stats { get; } = new();
    public string? Sha256 { get; set; }
}

/// <summary>The coverage window for one artifact kind: what a clean verdict speaks for.</summary>
public sealed record Coverage(ArtifactKind Kind, DateTime? First, DateTime? Last, int Files, long Records);
