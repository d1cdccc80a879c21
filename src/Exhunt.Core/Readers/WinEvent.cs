namespace Exhunt.Readers;

/// <summary>
/// A Windows event, whatever it was read from (.evtx, a JSON-lines export): the System fields and the
/// EventData/UserData named values. Unnamed <c>&lt;Data&gt;</c> values get the names "Data1", "Data2" ...
/// in document order, so keyword rules can search them like the rest.
/// </summary>
public sealed class WinEvent
{
    public string Provider { get; set; } = "";
    public string? ProviderGuid { get; set; }
    /// <summary>Provider EventSourceName (classic sources such as "MSExchange CmdletLogs").</summary>
    public string? EventSourceName { get; set; }
    public int EventId { get; set; }
    public int? Qualifiers { get; set; }
    public int? Version { get; set; }
    public int? Level { get; set; }
    public int? Task { get; set; }
    public int? Opcode { get; set; }
    public ulong? Keywords { get; set; }
    public DateTime? TimeCreated { get; set; }
    public ulong? RecordId { get; set; }
    public string? ActivityId { get; set; }
    public string? RelatedActivityId { get; set; }
    public uint? ProcessId { get; set; }
    public uint? ThreadId { get; set; }
    public string Channel { get; set; } = "";
    public string? Computer { get; set; }
    public string? UserId { get; set; }

    /// <summary>EventData / UserData values in document order.</summary>
    public List<KeyValuePair<string, string>> Data { get; } = new();

    /// <summary>The first value named <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Get(string name)
    {
        foreach (var (k, v) in Data)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

    /// <summary>True when any data value contains <paramref name="text"/> (case-insensitive), as Sigma keywords do.</summary>
    public bool AnyDataContains(string text)
    {
        foreach (var (_, v) in Data)
            if (v.Contains(text, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>All data values joined by newlines: the closest thing to a rendered message without message DLLs.</summary>
    public string DataText() => string.Join("\n", Data.Select(d => d.Value));
}
