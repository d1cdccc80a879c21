using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Scanning;

/// <summary>What the scan made of one file.</summary>
public sealed class ArtifactResult(EvidenceFile file)
{
    public EvidenceFile File { get; } = file;
    public ReaderStats Stats { get; } = new();
    public string? Sha256 { get; set; }
    /// <summary>Hosts named by this artifact's records (events: Computer); records naming none count as Unnamed.</summary>
    public HostTally Hosts { get; } = new();
    /// <summary>The host named by a text log's server field (ServerHostName, s-computername), from its first lines.</summary>
    public string? LogHost { get; set; }
    /// <summary>An IIS log whose requests are for Exchange (/owa, /ecp, /ews ...).</summary>
    public bool ExchangeUrls { get; set; }
    /// <summary>The host this artifact was resolved to after the scan (see <see cref="HostResolver"/>).</summary>
    public string Host { get; set; } = Findings.HostName.Unknown;
}

/// <summary>The coverage window for one artifact kind: what a clean verdict speaks for.</summary>
public sealed record Coverage(ArtifactKind Kind, DateTime? First, DateTime? Last, int Files, long Records);
