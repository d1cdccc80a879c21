namespace Exhunt.Findings;

/// <summary>One detection hit, tied to the artifact and position that proves it.</summary>
public sealed class Finding
{
    public required RuleInfo Rule { get; init; }
    /// <summary>Per-hit title; defaults to the rule title.</summary>
    public string? Title { get; init; }
    public Severity? SeverityOverride { get; init; }
    public Outcome Outcome { get; init; } = Outcome.Unknown;
    /// <summary>When it happened (UTC). The scanner sets it for file findings from the file's last-write time
    /// (see <see cref="TimeSource"/>), so files take their place on the timeline.</summary>
    public DateTime? Time { get; set; }
    /// <summary>Where <see cref="Time"/> came from when not from the record itself ("file last-write time"), else null.</summary>
    public string? TimeSource { get; set; }
    /// <summary>Relative evidence path with '/' separators (zip: the entry path).</summary>
    public required string Artifact { get; init; }
    public long? Line { get; init; }
    public long? Record { get; init; }
    /// <summary>The host the evidence speaks of: the event's Computer, the log's server field, else the collection's
    /// host (folder or zip name), else null until the scanner fills it in ("unknown" when nothing says).</summary>
    public string? Host { get; set; }
    public string? ClientIp { get; init; }
    public string? UserAgent { get; init; }
    public string? User { get; init; }
    public string? Evidence { get; init; }
    /// <summary>Extra key/values for reports (file size, sha256, implicated lines ...).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
    /// <summary>Assigned after the scan, in report order: F1, F2 ...</summary>
    public string Id { get; set; } = "";

    public Severity Severity => SeverityOverride ?? Rule.Severity;
    public string DisplayTitle => Title ?? Rule.Title;

    public const int MaxEvidenceChars = 512;

    public static string? Clip(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return null;
        return text.Length <= MaxEvidenceChars ? text.ToString() : string.Concat(text[..(MaxEvidenceChars - 1)], "…");
    }

    public static string? Clip(string? text) => text is null ? null : Clip(text.AsSpan());
}
