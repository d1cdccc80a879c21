namespace Exhunt.Detection.Events;

/// <summary>Case-insensitive, allocation-free text tests the event rules share (on strings and on field spans).</summary>
internal static class Text
{
    public static bool Has(this string? s, string part) => s is not null && s.Contains(part, StringComparison.OrdinalIgnoreCase);

    public static bool Has(this ReadOnlySpan<char> s, string part) => s.Contains(part, StringComparison.OrdinalIgnoreCase);

    public static bool HasAny(this string? s, string[] parts) => s is not null && s.AsSpan().HasAny(parts);

    public static bool HasAny(this ReadOnlySpan<char> s, string[] parts)
    {
        foreach (var p in parts)
            if (s.Contains(p, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public static string? FirstOf(this string? s, string[] parts) => s is null ? null : s.AsSpan().FirstOf(parts);

    public static string? FirstOf(this ReadOnlySpan<char> s, string[] parts)
    {
        foreach (var p in parts)
            if (s.Contains(p, StringComparison.OrdinalIgnoreCase)) return p;
        return null;
    }

    public static bool EndsWithAny(this string? s, string[] suffixes) => s is not null && s.AsSpan().EndsWithAny(suffixes);

    public static bool EndsWithAny(this ReadOnlySpan<char> s, string[] suffixes)
    {
        var t = s.TrimEnd();
        foreach (var x in suffixes)
            if (t.EndsWith(x, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The file name of a Windows path (after the last '\' or '/'), quotes and spaces trimmed.</summary>
    public static ReadOnlySpan<char> FileName(string? path) => FileName(path.AsSpan());

    public static ReadOnlySpan<char> FileName(ReadOnlySpan<char> path)
    {
        var s = path.Trim().Trim('"');
        var i = s.LastIndexOfAny('\\', '/');
        return i < 0 ? s : s[(i + 1)..];
    }

    /// <summary>True when the path's file name is one of <paramref name="names"/> ("w3wp.exe" matches "C:\...\W3WP.EXE").</summary>
    public static bool IsImage(string? path, string[] names) => IsImage(path.AsSpan(), names);

    public static bool IsImage(ReadOnlySpan<char> path, string[] names)
    {
        var name = FileName(path);
        if (name.IsEmpty) return false;
        foreach (var n in names)
            if (name.Equals(n, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public static bool IsImage(string? path, string name) => FileName(path).Equals(name, StringComparison.OrdinalIgnoreCase);

    public static bool IsImage(ReadOnlySpan<char> path, string name) => FileName(path).Equals(name, StringComparison.OrdinalIgnoreCase);

    public static bool Eq(this string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
