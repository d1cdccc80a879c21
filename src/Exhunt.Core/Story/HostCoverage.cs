namespace Exhunt.Story;

/// <summary>
/// What was read for one host: whether it shows Exchange, the kinds of evidence read, and the window of the records
/// that could show exploitation (Exchange or IIS log lines, Exchange-relevant events). A host with none of those and no
/// web root cannot be called clean: its verdict is inconclusive.
/// </summary>
public sealed record HostCoverage(string Host, bool Exchange, IReadOnlyList<string> Kinds, DateTime? First, DateTime? Last,
    long RelevantRecords, int WebFiles, int Files)
{
    public bool CanShowExploitation => RelevantRecords > 0 || WebFiles > 0;
}

/// <summary>The verdict for one host, with the window its evidence covers.</summary>
public sealed record HostVerdict(string Host, Verdict Verdict, DateTime? First, DateTime? Last, bool Exchange, string Sentence);
