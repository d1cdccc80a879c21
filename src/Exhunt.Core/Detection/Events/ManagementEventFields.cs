using System.Globalization;
using System.Text.Json;
using Exhunt.Data;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// The MSExchange Management string array by name (Data/events/msexchange-management-fields.json): one place that
/// knows item 1 is the cmdlet, 2 its parameters, 3 the caller, 7 the host process ... whatever shape the reader gave
/// the array (Data1..DataN, param1..paramN, or one blob of &lt;string&gt; elements). A name is resolved once
/// (<see cref="Key"/>) into the field-model keys of its position, and read through the event's field view
/// (<see cref="Record"/>); only the blob shape is split into a list.
/// </summary>
internal static class ManagementEventFields
{
    private sealed record Map(string Provider, string Channel, int[] EventIds, Dictionary<string, int> Positions);

    private static readonly Lazy<Map> Layout = new(Load);

    /// <summary>Items kept from one event; the array has 27 in the real records, a blob is cut off beyond this.</summary>
    private const int MaxItems = 64;

    /// <summary>A named item resolved once: its position and the keys our reader (DataN) and Winlogbeat (paramN) give it.</summary>
    public sealed record Field(string Name, int Position, FieldKey Data, FieldKey Param);

    private static readonly Field First = new("1", 1, FieldNames.EventData("Data1"), FieldNames.EventData("param1"));

    /// <summary>The item the map names <paramref name="name"/> ("Cmdlet", "Caller", "HostProcess" ...).</summary>
    public static Field Key(string name)
    {
        if (!Layout.Value.Positions.TryGetValue(name, out var position)) throw new ArgumentException($"msexchange-management-fields.json names no field '{name}'");
        return new Field(name, position, FieldNames.EventData("Data" + position), FieldNames.EventData("param" + position));
    }

    /// <summary>Where the management log is (routing: <see cref="IEventRule.Channels"/>, <see cref="IEventRule.Providers"/>).</summary>
    public static IReadOnlyList<string> Channels { get; } = [Layout.Value.Channel];
    public static IReadOnlyList<string> Providers { get; } = [Layout.Value.Provider];
    public static IReadOnlyList<int> EventIds { get; } = Layout.Value.EventIds;

    public static bool IsManagementEvent(WinEvent e)
    {
        var map = Layout.Value;
        return Array.IndexOf(map.EventIds, e.EventId) >= 0 && (e.Channel.Eq(map.Channel) || e.Provider.Eq(map.Provider));
    }

    /// <summary>The array of <paramref name="e"/> as named fields: through the field view when the items are values
    /// of their own (Data1.., param1..), else split from a &lt;string&gt; blob.</summary>
    public static Record Read(WinEvent e)
    {
        var f = EventFields.Of(e);
        // A blob (python-evtx renders the array as one value of <string> elements) is split; items of their own are read in place.
        if (f.TryGet(First.Data, out var first) && !IsBlob(first)) return new Record(f, null, param: false);
        if (f.TryGet(First.Param, out first) && !IsBlob(first)) return new Record(f, null, param: true);
        return new Record(null, Items(e), param: false);
    }

    private static bool IsBlob(ReadOnlySpan<char> value) => value.Contains("<string>", StringComparison.Ordinal);

    /// <summary>One event's array, read by <see cref="Field"/>.</summary>
    public readonly struct Record(WinEventFields? view, List<string>? items, bool param)
    {
        public bool TryGet(Field field, out ReadOnlySpan<char> value)
        {
            if (view is not null) return view.TryGet(param ? field.Param : field.Data, out value);
            value = default;
            if (items is null || field.Position > items.Count) return false;
            value = items[field.Position - 1];
            return true;
        }

        /// <summary>The item trimmed, or null when absent or empty.</summary>
        public string? Named(Field field) => TryGet(field, out var v) && v.Trim() is { Length: > 0 } t ? t.ToString() : null;
    }

    /// <summary>The array items in order, or an empty list when the event carries no unnamed array.</summary>
    public static List<string> Items(WinEvent e)
    {
        var items = new List<string>();
        foreach (var (key, value) in e.Data)
        {
            if (value.Contains("<string>", StringComparison.Ordinal)) return SplitBlob(value);
            if (items.Count < MaxItems && IsPositional(key)) items.Add(value);
        }
        return items;
    }

    /// <summary>The item the map names <paramref name="field"/> ("Cmdlet", "Caller", "HostProcess" ...), or null.</summary>
    public static string? Get(List<string> items, string field)
    {
        if (!Layout.Value.Positions.TryGetValue(field, out var position)) throw new ArgumentException($"msexchange-management-fields.json names no field '{field}'");
        return position <= items.Count ? items[position - 1] : null;
    }

    /// <summary>All named items that have a value, for tests and reports.</summary>
    public static Dictionary<string, string> Named(List<string> items)
    {
        var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, position) in Layout.Value.Positions)
            if (position <= items.Count && items[position - 1].Length > 0) named[name] = items[position - 1];
        return named;
    }

    /// <summary>"Data7", "param7": the names readers give unnamed values.</summary>
    private static bool IsPositional(string key)
    {
        var digits = key.StartsWith("Data", StringComparison.OrdinalIgnoreCase) ? key.AsSpan(4)
            : key.StartsWith("param", StringComparison.OrdinalIgnoreCase) ? key.AsSpan(5) : default;
        if (digits.IsEmpty) return false;
        foreach (var c in digits)
            if (c is < '0' or > '9') return false;
        return true;
    }

    private static List<string> SplitBlob(string blob)
    {
        var items = new List<string>();
        var at = 0;
        while (items.Count < MaxItems)
        {
            var open = blob.IndexOf("<string>", at, StringComparison.Ordinal);
            if (open < 0) break;
            var start = open + 8;
            var close = blob.IndexOf("</string>", start, StringComparison.Ordinal);
            if (close < 0) { items.Add(blob[start..].Trim()); break; }
            items.Add(blob[start..close].Trim());
            at = close + 9;
        }
        return items;
    }

    private static Map Load()
    {
        using var doc = JsonDocument.Parse(DataFiles.ReadText("events/msexchange-management-fields.json"));
        var root = doc.RootElement;
        var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in root.GetProperty("positions").EnumerateObject())
            positions[p.Value.GetString()!] = int.Parse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture);
        return new Map(root.GetProperty("provider").GetString()!, root.GetProperty("channel").GetString()!,
            root.GetProperty("eventIds").EnumerateArray().Select(v => v.GetInt32()).ToArray(), positions);
    }
}
