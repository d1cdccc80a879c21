namespace Exhunt.Detection.Events;

/// <summary>Case-insensitive, allocation-free text tests the event rules share.</summary>
internal static class Text
{
    public static bool Has(this string? s, string part) => s is not null && s.Contains(part, StringComparison.OrdinalIgnoreCase);

    public static bool HasAny(this string? s, string[] parts)
    {
        if (s is null) return false;
        foreach (var p in parts)
            if (s.Contains(p, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public static string? FirstOf(this string? s, string[] parts)
    {
        if (s is null) return null;
        foreach (var p in parts)
            if (s.Contains(p, StringComparison.OrdinalIgnoreCase)) return p;
        return null;
    }

    public static bool EndsWithAny(this string? s, string[] suffixes)
    {
        if (s is null) return false;
        var t = s.AsSpan().TrimEnd();
        foreach (var x in suffixes)
            if (t.EndsWith(x, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The file name of a Windows path (after the last '\' or '/'), quotes and spaces trimmed.</summary>
    public static ReadOnlySpan<char> FileName(string? path)
    {
        if (path is null) return default;
        var s = path.AsSpan().Trim().Trim('"');
        var i = s.LastIndexOfAny('\\', '/');
        return i < 0 ? s : s[(i + 1)..];
    }

    /// <summary>True when the path's file name is one of <paramref name="names"/> ("w3wp.exe" matches "C:\...\W3WP.EXE").</summary>
    public static bool IsImage(string? path, string[] names)
    {
        var name = FileName(path);
        if (name.IsEmpty) return false;
        foreach (var n in names)
            if (name.Equals(n, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public static bool IsImage(string? path, string name) => FileName(path).Equals(name, StringComparison.OrdinalIgnoreCase);

    public static bool Eq(this string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
