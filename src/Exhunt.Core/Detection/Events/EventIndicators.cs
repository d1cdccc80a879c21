using System.Text.Json;
using Exhunt.Data;

namespace Exhunt.Detection.Events;

/// <summary>Named string lists for the event rules, from <c>Data/events/event-indicators.json</c>.</summary>
internal static class EventIndicators
{
    private static readonly Lazy<Dictionary<string, string[]>> Lists = new(Load);

    public static string[] Get(string name) =>
        Lists.Value.TryGetValue(name, out var list) ? list : throw new InvalidOperationException($"event-indicators.json has no list '{name}'");

    private static Dictionary<string, string[]> Load()
    {
        using var doc = JsonDocument.Parse(DataFiles.ReadText("events/event-indicators.json"));
        var lists = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Array)
                lists[p.Name] = p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        return lists;
    }
}
