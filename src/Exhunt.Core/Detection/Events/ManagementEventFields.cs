using System.Globalization;
using System.Text.Json;
using Exhunt.Data;
using Exhunt.Readers;

namespace Exhunt.Detection.Events;

/// <summary>
/// The MSExchange Management string array by name (Data/events/msexchange-management-fields.json): one place that
/// knows item 1 is the cmdlet, 2 its parameters, 3 the caller, 7 the host process ... whatever shape the reader gave
/// the array (Data1..DataN, param1..paramN, or one blob of &lt;string&gt; elements).
/// </summary>
internal static class ManagementEventFields
{
    private sealed record Map(string Provider, string Channel, int[] EventIds, Dictionary<string, int> Positions);

    private static readonly Lazy<Map> Layout = new(Load);

    /// <summary>Items kept from one event; the array has 27 in the real records, a blob is cut off beyond this.</summary>
    private const int MaxItems = 64;

    public static bool IsManagementEvent(WinEvent e)
    {
        var map = Layout.Value;
        return Array.IndexOf(map.EventIds, e.EventId) >= 0 && (e.Channel.Eq(map.Channel) || e.Provider.Eq(map.Provider));
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
