namespace Exhunt.Readers.EventJson;

/// <summary>
/// Recovers EventData from a rendered message when an export kept nothing else: "Image: C:\..." lines (Sysmon) or
/// "\tNew Process Name:\tC:\..." lines under section headings (Security). Only labels in the field map are taken.
/// </summary>
internal static class MessageFields
{
    private const int MaxLines = 200;

    public static void Expand(WinEvent evt, JsonEventFieldMap map)
    {
        if (evt.Data.Count != 1 || evt.Data[0].Key != "Message") return;
        if (map.MessageLabels(evt.Provider) is not { } labels) return;
        var sameNames = labels.ContainsKey("*");
        var message = evt.Data[0].Value.AsSpan();
        ReadOnlySpan<char> section = default;
        var first = true;
        var count = 0;
        foreach (var range in message.SplitAny('\r', '\n'))
        {
            if (++count > MaxLines) break;
            var line = message[range];
            if (first) { first = false; if (sameNames) continue; }   // Sysmon's first line is the event title
            if (line.IsWhiteSpace()) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var label = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            var indented = line[0] is '\t' or ' ';
            if (!indented && value.IsEmpty) { section = label; continue; }
            if (sameNames)
            {
                if (IsName(label)) evt.Data.Add(new(label.ToString(), value.ToString()));
                continue;
            }
            var key = indented && !section.IsEmpty ? string.Concat(section, "/", label) : label.ToString();
            if (labels.TryGetValue(key, out var name) || labels.TryGetValue(label.ToString(), out name))
                if (evt.Get(name) is null) evt.Data.Add(new(name, value.ToString()));
        }
    }

    private static bool IsName(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 64) return false;
        foreach (var c in s) if (!char.IsAsciiLetterOrDigit(c)) return false;
        return true;
    }
}
