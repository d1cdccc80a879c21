using Exhunt.Evidence;
using Exhunt.Readers;

namespace Exhunt.Detection;

/// <summary>A detector over text-log lines (HttpProxy, ECP, IIS, Rps, OAB ...).</summary>
public interface ILogRule
{
    bool Handles(ArtifactKind kind);
    void Inspect(LogRecord record, ScanContext context);

    /// <summary>
    /// The line prefilter (Test-ProxyLogon's <c>Select-String ServerInfo~</c>, generalised). Contract: for every line
    /// of every kind this rule handles, if <see cref="Inspect"/> could add a finding, record a file write or a page
    /// request, or change any state a later line depends on, then at least one of these literals occurs in the RAW
    /// line (<see cref="LogRecord.Raw"/>: CSV quoting kept, IIS '+' for spaces, URL encoding as logged), compared
    /// ordinal ignore-case. A rule that decodes (URL escapes, '+') must list the encoded forms too. Lines containing
    /// none of the literals of any rule of their kind are counted and timed but not split nor handed to any rule.
    /// <c>null</c> (the default): the rule must see every line, and no line of its kinds is prefiltered.
    /// </summary>
    IReadOnlyList<string>? LineNeedles => null;
}

/// <summary>A detector over Windows events (EVTX or JSON exports).</summary>
public interface IEventRule
{
    void Inspect(WinEvent evt, EventOrigin origin, ScanContext context);

    /// <summary>
    /// The event IDs this rule can match (a necessary condition: for any other ID <see cref="Inspect"/> adds nothing
    /// and changes no state). The scanner hands each event only to the rules of its ID, from an index built once per
    /// rule set (<see cref="RuleSet.EventRoutes"/>). <c>null</c> (the default): every event.
    /// </summary>
    IReadOnlyList<int>? EventIds => null;

    /// <summary>
    /// The channels this rule can match (compared ignore-case; "" = an export that carries no channel). With
    /// <see cref="Providers"/>, a necessary condition: for an event whose channel is none of these and whose provider is
    /// none of <see cref="Providers"/>, <see cref="Inspect"/> adds nothing and changes no state. Both <c>null</c> (the
    /// default): every channel and provider. The scanner routes by (channel, provider, event ID) from
    /// <see cref="EventRoutes"/>.
    /// </summary>
    IReadOnlyList<string>? Channels => null;

    /// <summary>The providers this rule can match (ignore-case); see <see cref="Channels"/> — an event reaches the rule
    /// when its channel OR its provider is declared (JSON exports sometimes carry only one of them).</summary>
    IReadOnlyList<string>? Providers => null;
}

/// <summary>Where an event came from: the artifact and the record number within it.</summary>
public readonly record struct EventOrigin(string Artifact, long Record);

/// <summary>
/// A detector over whole files (dumps, archives, pages). The scanner reads each file once: it hashes it while reading
/// and hands every rule the head, the SHA-256 and — up to <see cref="Content.FileContent.MaxBytes"/> — as many bytes
/// as the rules asked for through <see cref="ContentWanted"/>.
/// </summary>
public interface IFileRule
{
    bool Handles(ArtifactKind kind);

    /// <summary>How many leading bytes of this file the rule needs beyond the head (0: the head is enough). Called
    /// after classification with the head only; keep it cheap and ask only for plausible files.</summary>
    int ContentWanted(EvidenceFile file, ReadOnlySpan<byte> head) => 0;

    void Inspect(EvidenceFile file, Content.FileContent content, ScanContext context);
}

/// <summary>Runs once after every file was read: joins observations and findings across artifacts.</summary>
public interface ICorrelationRule
{
    void Run(CorrelationInput input, ScanContext context);
}

public sealed record CorrelationInput(EvidenceIndex Index, IReadOnlyList<Findings.Finding> Findings)
{
    /// <summary>The host each artifact (by relative path) was resolved to; correlation joins only within one host.</summary>
    public IReadOnlyDictionary<string, string> ArtifactHosts { get; init; } = new Dictionary<string, string>();

    /// <summary>The SHA-256 the scan already took of each non-log file (by relative path), so no rule reads it again.</summary>
    public IReadOnlyDictionary<string, string> ArtifactHashes { get; init; } = new Dictionary<string, string>();

    public string HostOf(string artifact) => ArtifactHosts.GetValueOrDefault(artifact) ?? Exhunt.Findings.HostName.Unknown;
}
