using System.Globalization;
using Exhunt.Evidence;

namespace Exhunt.Readers;

/// <summary>
/// One way to read a field by name from any record (Windows event or text-log line). Names are resolved once into a
/// <see cref="FieldKey"/> through the maps in <c>Data/sigma/fields.yml</c> (<see cref="FieldNames"/>); reading a key
/// returns a span into the record, with no allocation. Views are reused: <see cref="WinEventFields.Of"/> and
/// <see cref="LogRecordFields.Of"/> hand out one view per thread, re-pointed at each record.
/// </summary>
public interface IFieldSource
{
    /// <summary>The field's value, or false when the record has no such field. A present but empty field is true with an empty span.</summary>
    bool TryGet(FieldKey key, out ReadOnlySpan<char> value);

    /// <summary>How many values the record holds for keyword (full-text) search.</summary>
    int ValueCount { get; }

    /// <summary>The <paramref name="index"/>th value for keyword search.</summary>
    ReadOnlySpan<char> ValueAt(int index);
}

/// <summary>What a <see cref="FieldKey"/> points at.</summary>
public enum FieldKeyKind
{
    /// <summary>A name no record of this shape carries: never present.</summary>
    Missing,
    /// <summary>A Windows event System field (<see cref="WinSystemField"/>).</summary>
    System,
    /// <summary>A named EventData/UserData value.</summary>
    Data,
    /// <summary>A text-log column (<see cref="Readers.Field"/>).</summary>
    Column,
    /// <summary>URL stem + '?' + query of a web-log line (Sigma <c>cs-uri-query</c>, which SigmaHQ rules fill with paths).</summary>
    StemAndQuery,
}

public enum WinSystemField
{
    EventId, Channel, Provider, ProviderGuid, EventSourceName, Computer, Level, Task, Opcode, Keywords, RecordId,
    ProcessId, ThreadId, UserId, Version, TimeCreated, Qualifiers,
}

/// <summary>A field name resolved once for one record shape. <see cref="Also"/>: a second reading the value is matched against too (OR).</summary>
public sealed record FieldKey(string Name, FieldKeyKind Kind, int Code = 0, FieldKey? Also = null)
{
    /// <summary>For <see cref="FieldKeyKind.Data"/>: the EventData/UserData name to look up.</summary>
    public string DataName { get; init; } = "";

    /// <summary>The reader turned IIS's '+' into spaces in this field (the user agent): values written as IIS logs
    /// them ('+' for space) are matched in both spellings.</summary>
    public bool PlusIsSpace { get; init; }

    public static FieldKey Missing(string name) => new(name, FieldKeyKind.Missing);
}

/// <summary>The shapes of record a field name can be resolved for.</summary>
public enum RecordShape { WinEvent, WebLog }

/// <summary>Field-name maps (Sigma/event names → record fields), from <c>Data/sigma/fields.yml</c>.</summary>
public static class FieldNames
{
    private sealed record Maps(Dictionary<string, WinSystemField> System, Dictionary<string, string> WebLog);

    private static readonly Lazy<Maps> Loaded = new(Load);

    /// <summary>Resolves <paramref name="name"/> for <paramref name="shape"/>. Windows events: System names (with the
    /// aliases in the map), else an EventData/UserData value of that name (hayabusa's fallback). Web logs: the Sigma
    /// webserver taxonomy names and the logs' own column names.</summary>
    public static FieldKey Resolve(RecordShape shape, string name)
    {
        var maps = Loaded.Value;
        if (shape == RecordShape.WinEvent)
        {
            var n = name;
            foreach (var prefix in (ReadOnlySpan<string>)["Event.EventData.", "EventData.", "Event.UserData.", "UserData."])
                if (n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return DataKey(name, n[prefix.Length..]);
            if (maps.System.TryGetValue(n, out var sys)) return new FieldKey(name, FieldKeyKind.System, (int)sys);
            return DataKey(name, n);
        }
        if (!maps.WebLog.TryGetValue(name, out var target)) target = name;
        if (target.IndexOf('|') is var bar and > 0)
        {
            // "A|B": read A, and match B too (a name two log formats spell differently).
            var first = Resolve(shape, target[..bar]);
            return first with { Name = name, Also = Resolve(shape, target[(bar + 1)..]) };
        }
        if (target == "StemAndQuery")
            return new FieldKey(name, FieldKeyKind.Column, (int)Field.UrlQuery, new FieldKey(name, FieldKeyKind.StemAndQuery));
        if (Enum.TryParse<Field>(target, ignoreCase: false, out var f) || FieldMaps.TryMap(name, out f))
            return new FieldKey(name, FieldKeyKind.Column, (int)f) { PlusIsSpace = f == Field.UserAgent };
        return FieldKey.Missing(name);
    }

    /// <summary>An EventData/UserData value by its own name, never a System field (the key built-in rules read with).</summary>
    public static FieldKey EventData(string name) => DataKey(name, name);

    private static FieldKey DataKey(string name, string dataName) =>
        new(name, FieldKeyKind.Data, DataSlots.Slot(dataName)) { DataName = dataName };

    private static Maps Load()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        using (var reader = new StreamReader(Data.DataFiles.Open("sigma/fields.yml"))) yaml.Load(reader);
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var system = new Dictionary<string, WinSystemField>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in (YamlDotNet.RepresentationModel.YamlMappingNode)root["winevent-system"])
            foreach (var alias in (YamlDotNet.RepresentationModel.YamlSequenceNode)v)
                system[alias.ToString()] = Enum.Parse<WinSystemField>(k.ToString());
        var web = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in (YamlDotNet.RepresentationModel.YamlMappingNode)root["weblog"])
            web[k.ToString()] = v.ToString();
        return new Maps(system, web);
    }
}

/// <summary>The field view over a <see cref="WinEvent"/>.</summary>
public sealed class WinEventFields : IFieldSource
{
    [ThreadStatic] private static WinEventFields? _current;
    private readonly char[] _scratch = new char[40];
    private WinEvent _event = new();
    private bool _indexed;
    private int _generation;
    private int[] _stamp = new int[64];
    private int[] _position = new int[64];

    /// <summary>This thread's view, pointed at <paramref name="evt"/>; valid until the next call on this thread.</summary>
    public static WinEventFields Of(WinEvent evt)
    {
        var view = _current ??= new WinEventFields();
        view._event = evt;
        view._indexed = false;
        return view;
    }

    private int _sharedCount = -1;
    private Dictionary<string, int>? _sharedSlots;

    /// <summary>
    /// This thread's view at <paramref name="evt"/>, keeping the data index it already built for this same event, so
    /// every rule that reads one event shares one index. Re-indexed when the event's values or the set of known data
    /// names changed since (a key resolved after the index was built is then found too).
    /// </summary>
    public static WinEventFields For(WinEvent evt)
    {
        var view = _current;
        if (view is not null && ReferenceEquals(view._event, evt) && view._sharedCount == evt.Data.Count
            && ReferenceEquals(view._sharedSlots, DataSlots.Current))
            return view;
        var slots = DataSlots.Current;
        view = Of(evt);
        view._sharedCount = evt.Data.Count;
        view._sharedSlots = slots;
        return view;
    }

    public bool TryGet(FieldKey key, out ReadOnlySpan<char> value)
    {
        var e = _event;
        value = default;
        switch (key.Kind)
        {
            case FieldKeyKind.Data:
                if (!_indexed) Index();
                var slot = key.Code;
                if (slot >= _stamp.Length || _stamp[slot] != _generation) return false;
                value = e.Data[_position[slot]].Value;
                return true;
            case FieldKeyKind.System:
                return (WinSystemField)key.Code switch
                {
                    WinSystemField.EventId => Number(e.EventId, out value),
                    WinSystemField.Channel => Text(e.Channel, out value),
                    WinSystemField.Provider => Text(e.Provider, out value),
                    WinSystemField.ProviderGuid => Text(e.ProviderGuid, out value),
                    WinSystemField.EventSourceName => Text(e.EventSourceName, out value),
                    WinSystemField.Computer => Text(e.Computer, out value),
                    WinSystemField.Level => Number(e.Level, out value),
                    WinSystemField.Task => Number(e.Task, out value),
                    WinSystemField.Opcode => Number(e.Opcode, out value),
                    WinSystemField.Keywords => e.Keywords is { } kw && kw.TryFormat(_scratch.AsSpan(2), out var n, "x16") && Hex(n, out value),
                    WinSystemField.RecordId => e.RecordId is { } r && Formatted(r.TryFormat(_scratch, out var n2, default, CultureInfo.InvariantCulture), n2, out value),
                    WinSystemField.ProcessId => e.ProcessId is { } p && Formatted(p.TryFormat(_scratch, out var n3, default, CultureInfo.InvariantCulture), n3, out value),
                    WinSystemField.ThreadId => e.ThreadId is { } t && Formatted(t.TryFormat(_scratch, out var n4, default, CultureInfo.InvariantCulture), n4, out value),
                    WinSystemField.UserId => Text(e.UserId, out value),
                    WinSystemField.Version => Number(e.Version, out value),
                    WinSystemField.Qualifiers => Number(e.Qualifiers, out value),
                    WinSystemField.TimeCreated => e.TimeCreated is { } tc && Formatted(tc.TryFormat(_scratch, out var n5, "yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture), n5, out value),
                    _ => false,
                };
            default:
                return false;
        }
    }

    /// <summary>Once per event: where each known data name sits (first occurrence wins), so every later read is an
    /// array lookup instead of a scan of the event's values.</summary>
    private void Index()
    {
        _indexed = true;
        if (++_generation == int.MaxValue) { Array.Clear(_stamp); _generation = 1; }
        var slots = DataSlots.Current;
        if (_stamp.Length < slots.Count)
        {
            Array.Resize(ref _stamp, Math.Max(slots.Count, _stamp.Length * 2));
            Array.Resize(ref _position, _stamp.Length);
        }
        var data = _event.Data;
        for (var i = 0; i < data.Count; i++)
        {
            if (!DataSlots.TryFind(slots, data[i].Key, out var slot) || slot >= _stamp.Length || _stamp[slot] == _generation) continue;
            _stamp[slot] = _generation;
            _position[slot] = i;
        }
    }

    public int ValueCount => _event.Data.Count;

    public ReadOnlySpan<char> ValueAt(int index) => _event.Data[index].Value;

    private static bool Text(string? s, out ReadOnlySpan<char> value)
    {
        value = s;
        return s is not null;
    }

    private bool Number(int? n, out ReadOnlySpan<char> value)
    {
        value = default;
        if (n is not { } v || !v.TryFormat(_scratch, out var written, default, CultureInfo.InvariantCulture)) return false;
        value = _scratch.AsSpan(0, written);
        return true;
    }

    private bool Hex(int written, out ReadOnlySpan<char> value)
    {
        _scratch[0] = '0';
        _scratch[1] = 'x';
        value = _scratch.AsSpan(0, written + 2);
        return true;
    }

    private bool Formatted(bool ok, int written, out ReadOnlySpan<char> value)
    {
        value = ok ? _scratch.AsSpan(0, written) : default;
        return ok;
    }
}

/// <summary>The field view over a text-log line (<see cref="LogRecord"/>); keyword search sees the raw line.</summary>
public sealed class LogRecordFields : IFieldSource
{
    [ThreadStatic] private static LogRecordFields? _current;
    private char[] _scratch = new char[512];
    private LogRecord? _record;

    public static LogRecordFields Of(LogRecord record)
    {
        var view = _current ??= new LogRecordFields();
        view._record = record;
        return view;
    }

    public bool TryGet(FieldKey key, out ReadOnlySpan<char> value)
    {
        value = default;
        var r = _record!;
        switch (key.Kind)
        {
            case FieldKeyKind.Column:
                if (!r.Has((Field)key.Code)) return false;
                value = r[(Field)key.Code];
                return true;
            case FieldKeyKind.StemAndQuery:
                if (!r.Has(Field.UrlStem)) return false;
                var stem = r[Field.UrlStem];
                var query = r[Field.UrlQuery];
                var separator = query.IsEmpty || query[0] == '?' ? 0 : 1;   // HttpProxy logs the query with its '?'
                var length = stem.Length + separator + query.Length;
                if (_scratch.Length < length) _scratch = new char[Math.Max(length, _scratch.Length * 2)];
                stem.CopyTo(_scratch);
                if (separator == 1) _scratch[stem.Length] = '?';
                query.CopyTo(_scratch.AsSpan(stem.Length + separator));
                value = _scratch.AsSpan(0, length);
                return true;
            default:
                return false;
        }
    }

    public int ValueCount => 1;

    public ReadOnlySpan<char> ValueAt(int index) => _record!.Raw;
}

/// <summary>
/// Numbers for event data names (case-insensitive), handed out when rules are compiled, so an event's values are
/// found by number. Copy-on-write: readers never lock. Names with spaces in the event (Defender's "Threat Name") are
/// also found under the name without them (Sigma's ThreatName).
/// </summary>
public static class DataSlots
{
    private static readonly object Gate = new();
    private static volatile Dictionary<string, int> _slots = new(StringComparer.OrdinalIgnoreCase);

    public static Dictionary<string, int> Current => _slots;

    public static int Slot(string name)
    {
        if (_slots.TryGetValue(name, out var slot)) return slot;
        lock (Gate)
        {
            if (_slots.TryGetValue(name, out slot)) return slot;
            var copy = new Dictionary<string, int>(_slots, StringComparer.OrdinalIgnoreCase);
            slot = copy.Count;
            copy[name] = slot;
            _slots = copy;
            return slot;
        }
    }

    public static bool TryFind(Dictionary<string, int> slots, string eventName, out int slot)
    {
        if (slots.TryGetValue(eventName, out slot)) return true;
        if (!eventName.Contains(' ') || eventName.Length > 128) return false;
        Span<char> buffer = stackalloc char[eventName.Length];
        var n = 0;
        foreach (var c in eventName) if (c != ' ') buffer[n++] = c;
        return slots.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(buffer[..n], out slot);
    }
}
