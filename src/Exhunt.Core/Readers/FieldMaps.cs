using System.Text.Json;
using Exhunt.Data;
using Exhunt.Evidence;

namespace Exhunt.Readers;

/// <summary>Column-name → <see cref="Field"/> mapping and default headers, from <c>Data/field-maps.json</c>.</summary>
public static class FieldMaps
{
    private static readonly Lazy<(Dictionary<string, Field> Columns, Dictionary<string, string> Defaults, Dictionary<string, int> Stable)> Loaded = new(Load);

    public static bool TryMap(string column, out Field field) => Loaded.Value.Columns.TryGetValue(column, out field);

    /// <summary>The default column list for header-less files of this kind, or null.</summary>
    public static string[]? DefaultColumns(ArtifactKind kind) =>
        Loaded.Value.Defaults.TryGetValue(kind.ToWire(), out var list)
            ? list.Split(kind == ArtifactKind.Iis ? ' ' : ',')
            : null;

    /// <summary>How many leading default columns keep their order across builds (0 when none are known).</summary>
    public static int StableLeadingColumns(ArtifactKind kind) =>
        Loaded.Value.Stable.TryGetValue(kind.ToWire(), out var n) ? n : 0;

    private static (Dictionary<string, Field>, Dictionary<string, string>, Dictionary<string, int>) Load()
    {
        using var doc = JsonDocument.Parse(DataFiles.ReadText("field-maps.json"));
        var columns = new Dictionary<string, Field>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in doc.RootElement.GetProperty("columns").EnumerateObject())
            columns[p.Name] = Enum.Parse<Field>(p.Value.GetString()!);
        var defaults = new Dictionary<string, string>();
        foreach (var p in doc.RootElement.GetProperty("defaultHeaders").EnumerateObject())
            if (!p.Name.StartsWith('_')) defaults[p.Name] = p.Value.GetString()!;
        var stable = new Dictionary<string, int>();
        foreach (var p in doc.RootElement.GetProperty("stableLeadingColumns").EnumerateObject())
            if (!p.Name.StartsWith('_')) stable[p.Name] = p.Value.GetInt32();
        return (columns, defaults, stable);
    }
}
