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
    /// <summary>Lines that do not parse as the file's format (no valid timestamp, binary bytes, no field separators):
    /// never records, counted in <see cref="Skipped"/> too.</summary>
    public long Unparsed { get; set; }
    /// <summary>Why the file as a whole could not be read as its format (no line parsed), null when it could.</summary>
    public string? Unreadable { get; set; }
    /// <summary>Coverage bounds: only from timestamps that parsed and are plausible (<see cref="Timestamps.IsPlausible"/>).</summary>
    public DateTime? First { get; private set; }
    public DateTime? Last { get; private set; }

    public IReadOnlyList<string> Errors => _suppressed == 0 ? _errors : [.. _errors, $"... and {_suppressed} more problems of the same kinds"];

    public void Error(string message)
    {
        if (_errors.Count < MaxMessages) _errors.Add(message);
        else _suppressed++;
    }

    /// <summary>The message that says most about the file (it could not be read at all): listed before the others.</summary>
    public void ErrorFirst(string message)
    {
        _errors.Insert(0, message);
        if (_errors.Count > MaxMessages)
        {
            _errors.RemoveAt(_errors.Count - 1);
            _suppressed++;
        }
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
