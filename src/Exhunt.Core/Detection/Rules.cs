using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>A detector over text-log lines (HttpProxy, ECP, IIS, Rps, OAB ...).</summary>
public interface ILogRule
{
    bool Handles(ArtifactKind kind);
    void Inspect(LogRecord record, ScanContext context);
}

/// <summary>A detector over Windows events (EVTX or JSON exports).</summary>
public interface IEventRule
{
    void Inspect(WinEvent evt, EventOrigin origin, ScanContext context);
}

/// <summary>Where an event came from: the artifact and the record number within it.</summary>
public readonly record struct EventOrigin(string Artifact, long Record);

/// <summary>A detector over whole files (dumps, archives, pages): gets the first bytes and the SHA-256.</summary>
public interface IFileRule
{
    bool Handles(ArtifactKind kind);
    void Inspect(EvidenceFile file, ReadOnlySpan<byte> head, string? sha256, ScanContext context);
}

/// <summary>Runs once after every file was read: joins observations and findings across artifacts.</summary>
public interface ICorrelationRule
{
    void Run(CorrelationInput input, ScanContext context);
}

public sealed record CorrelationInput(EvidenceIndex Index, IReadOnlyList<Findings.Finding> Findings);
