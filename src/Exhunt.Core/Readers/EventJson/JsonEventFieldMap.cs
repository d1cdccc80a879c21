using System.Text.Json;
using Exhunt.Data;

namespace Exhunt.Readers.EventJson;

/// <summary>The WinEvent System field a JSON name feeds.</summary>
internal enum SystemField : byte
{
    Provider, ProviderGuid, EventSourceName, EventId, Channel, Computer, Time, Level, RecordId, Task, Opcode,
    Keywords, Version, Qualifiers, ProcessId, ThreadId, UserId, ActivityId, RelatedActivityId, Message,
}

/// <summary>What a dotted JSON path means: a System field (with its alias rank), a data container, or nothing.</summary>
internal readonly record struct PathRole(SystemField Field, byte Rank);

/// <summary>
/// JSON-export field names → <see cref="WinEvent"/> fields, from <c>Data/events/json-event-fields.json</c>.
/// Lookups take spans (no string per property) and ignore case.
/// </summary>
internal sealed class JsonEventFieldMap
{
    private static readonly Lazy<JsonEventFieldMap> Loaded = new(() => new JsonEventFieldMap(DataFiles.ReadText("events/json-event-fields.json")));
    public static JsonEventFieldMap Instance => Loaded.Value;

    private readonly Dictionary<string, PathRole> _system = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, PathRole>.AlternateLookup<ReadOnlySpan<char>> _systemLookup;
    private readonly HashSet<string> _dataObjects = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _dataObjectLookup;
    private readonly HashSet<string> _ignore = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _ignoreLookup;
    private readonly Dictionary<string, int> _levels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _levelLookup;

    private readonly Dictionary<string, string> _ecs = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _ecsLookup;
    private readonly Dictionary<string, Dictionary<string, string>> _messageLabels = new(StringComparer.OrdinalIgnoreCase);

    public const int FieldCount = (int)SystemField.Message + 1;

    internal JsonEventFieldMap(string json)
    {
        using var doc = JsonDocument.Parse(json);
        foreach (var role in doc.RootElement.GetProperty("system").EnumerateObject())
        {
            var field = Enum.Parse<SystemField>(role.Name, ignoreCase: true);
            byte rank = 0;
            foreach (var name in role.Value.EnumerateArray())
                _system.TryAdd(name.GetString()!, new PathRole(field, rank++));
        }
        foreach (var name in doc.RootElement.GetProperty("dataObjects").EnumerateArray()) _dataObjects.Add(name.GetString()!);
        foreach (var name in doc.RootElement.GetProperty("ignore").EnumerateArray()) _ignore.Add(name.GetString()!);
        foreach (var level in doc.RootElement.GetProperty("levels").EnumerateObject()) _levels[level.Name] = level.Value.GetInt32();
        foreach (var provider in doc.RootElement.GetProperty("messageLabels").EnumerateObject())
        {
            var labels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var l in provider.Value.EnumerateObject()) labels[l.Name] = l.Value.GetString()!;
            _messageLabels[provider.Name] = labels;
        }
        foreach (var e in doc.RootElement.GetProperty("ecsData").EnumerateObject()) _ecs[e.Name] = e.Value.GetString()!;
        _ecsLookup = _ecs.GetAlternateLookup<ReadOnlySpan<char>>();
        _systemLookup = _system.GetAlternateLookup<ReadOnlySpan<char>>();
        _dataObjectLookup = _dataObjects.GetAlternateLookup<ReadOnlySpan<char>>();
        _ignoreLookup = _ignore.GetAlternateLookup<ReadOnlySpan<char>>();
        _levelLookup = _levels.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TrySystem(ReadOnlySpan<char> path, out PathRole role) => _systemLookup.TryGetValue(path, out role);
    /// <summary>An ECS path that carries an EventData value (process.command_line → CommandLine).</summary>
    public bool TryEcsData(ReadOnlySpan<char> path, out string dataName) => _ecsLookup.TryGetValue(path, out dataName!);
    public bool IsDataObject(ReadOnlySpan<char> path) => _dataObjectLookup.Contains(path);
    public bool IsIgnored(ReadOnlySpan<char> topLevelName) => _ignoreLookup.Contains(topLevelName);
    /// <summary>Message label → data name table for a provider ("*" → "*" when labels are the data names), or null.</summary>
    public Dictionary<string, string>? MessageLabels(string provider) => _messageLabels.GetValueOrDefault(provider);

    public bool TryLevel(ReadOnlySpan<char> text, out int level) => _levelLookup.TryGetValue(text, out level);
}
