namespace Exhunt.Readers;

/// <summary>What a reader did with one file: records read, lines/records skipped, and why. Nothing is lost silently.</summary>
public sealed class ReaderStats
{
    public const int MaxMessages = 20;
    private readonly List<string> _errors = new();
    private long _suppressed;

    public long Records { get; set; }
    public long Skipped { get; set; }
    /// <summary>Records recovered beyond what a file header announced (EVTX dirty files).</summary>
    public long Recovered { get; set; }
    public DateTime? First { get; private set; }
    public DateTime? Last { get; private set; }

    public IReadOnlyList<string> Errors => _suppressed == 0 ? _errors : [.. _errors, $"... and {_suppressed} more problems of the same kinds"];

    public void Error(string message)
    {
        if (_errors.Count < MaxMessages) _errors.Add(message);
        else _suppressed++;
    }

    /// <summary>A record (line) that could not be used: counted as skipped, with the reason.</summary>
    public void Skip(string reason)
    {
        Skipped++;
        Error(reason);
    }

    public void SeeTime(DateTime utc)
    {
        if (First is null || utc < First) First = utc;
        if (Last is null || utc > Last) Last = utc;
    }
}
