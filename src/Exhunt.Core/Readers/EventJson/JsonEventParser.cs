using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Exhunt.Readers.EventJson;

/// <summary>
/// Turns one JSON object (one export line) into a <see cref="WinEvent"/>: System fields through the field map,
/// EventData from data objects (winlog.event_data ...) and from top-level scalars of flattened exports.
/// Property names are decoded into a reused buffer and interned, so a line costs only its value strings.
/// Not thread-safe: one parser per file.
/// </summary>
internal sealed class JsonEventParser(JsonEventFieldMap map)
{
    public const int MaxDepth = 16;
    private const int MaxPathChars = 512;
    private const int MaxSystemValueChars = 256;
    private const int MaxInterned = 4096;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip };

    private readonly char[] _path = new char[MaxPathChars];
    private readonly char[] _scratch = new char[MaxSystemValueChars];
    private readonly byte[] _ranks = new byte[JsonEventFieldMap.FieldCount];
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private bool _sawId, _badId;

    public bool TryParse(ReadOnlySpan<byte> json, WinEvent evt, out string? error)
    {
        error = null;
        Array.Fill(_ranks, byte.MaxValue);
        _sawId = _badId = false;
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "not a JSON object";
                return false;
            }
            ReadObject(ref reader, 0, inData: false);
            if (reader.Read()) { error = "more than one JSON value on the line"; return false; }
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + Clip(e.Message);
            return false;
        }
        catch (InvalidOperationException)
        {
            error = "invalid UTF-8 inside a JSON string";
            return false;
        }
        if (_badId && !_sawId)
        {
            error = "EventID is not a number from 0 to 65535";
            return false;
        }
        if (!_sawId && evt.Channel.Length == 0 && evt.Provider.Length == 0)
        {
            error = "no EventID, Channel or provider field: not a Windows event";
            return false;
        }
        return true;

        void ReadObject(ref Utf8JsonReader reader, int pathLen, bool inData)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = pathLen == 0 ? 0 : pathLen + 1;
                var raw = reader.ValueSpan.Length;
                if (nameStart + raw > MaxPathChars)
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                if (pathLen > 0) _path[pathLen] = '.';
                var nameLen = reader.CopyString(_path.AsSpan(nameStart));
                var fullLen = nameStart + nameLen;
                ReadOnlySpan<char> full = _path.AsSpan(0, fullLen), name = _path.AsSpan(nameStart, nameLen);
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        ReadObject(ref reader, fullLen, inData || map.IsDataObject(full));
                        break;
                    case JsonTokenType.StartArray:
                        if (inData) AddData(evt, Intern(name), JoinArray(ref reader));
                        else reader.Skip();
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        if (map.TrySystem(full, out var role)) SetSystem(evt, role, ref reader);
                        else if (!inData && map.TryEcsData(full, out var ecsName)) AddData(evt, ecsName, Scalar(ref reader));
                        else if (inData || (pathLen == 0 && !map.IsIgnored(name))) AddData(evt, Intern(name), Scalar(ref reader));
                        break;
                }
            }
        }
    }

    private static void AddData(WinEvent evt, string name, string? value)
    {
        if (value is not null) evt.Data.Add(new KeyValuePair<string, string>(name, value));
    }

    private static string Scalar(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => Encoding.UTF8.GetString(reader.ValueSpan),
    };

    /// <summary>An array inside event data: its scalar members joined by newlines, nested containers dropped.</summary>
    private static string? JoinArray(ref Utf8JsonReader reader)
    {
        StringBuilder? sb = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) { reader.Skip(); continue; }
            if (reader.TokenType == JsonTokenType.Null) continue;
            sb = sb is null ? new StringBuilder() : sb.Append('\n');
            sb.Append(Scalar(ref reader));
        }
        return sb?.ToString();
    }

    private void SetSystem(WinEvent evt, PathRole role, ref Utf8JsonReader reader)
    {
        var slot = (int)role.Field;
        if (role.Rank >= _ranks[slot]) return;
        if (!TryApply(evt, role.Field, ref reader)) return;
        _ranks[slot] = role.Rank;
    }

    private bool TryApply(WinEvent evt, SystemField field, ref Utf8JsonReader reader)
    {
        switch (field)
        {
            case SystemField.Provider: evt.Provider = InternValue(ref reader) ?? ""; return evt.Provider.Length > 0;
            case SystemField.Channel: evt.Channel = InternValue(ref reader) ?? ""; return evt.Channel.Length > 0;
            case SystemField.Computer: evt.Computer = InternValue(ref reader); return evt.Computer is not null;
            case SystemField.ProviderGuid: evt.ProviderGuid = InternValue(ref reader); return true;
            case SystemField.EventSourceName: evt.EventSourceName = InternValue(ref reader); return true;
            case SystemField.UserId: evt.UserId = InternValue(ref reader); return true;
            case SystemField.ActivityId: evt.ActivityId = Scalar(ref reader); return true;
            case SystemField.RelatedActivityId: evt.RelatedActivityId = Scalar(ref reader); return true;
            case SystemField.Message:
                var text = Scalar(ref reader);
                if (text.Length == 0) return false;
                evt.Data.Add(new KeyValuePair<string, string>("Message", text));
                return true;
            case SystemField.EventId:
                if (!TryInt(ref reader, out var id) || id < 0 || id > 65535) { _badId = true; return false; }
                evt.EventId = id;
                _sawId = true;
                return true;
            case SystemField.Level:
                if (TryInt(ref reader, out var level)) { evt.Level = level; return true; }
                if (Chars(ref reader, out var lt) && map.TryLevel(lt, out level)) { evt.Level = level; return true; }
                return false;
            case SystemField.Task:
                if (!TryInt(ref reader, out var task)) return false;
                evt.Task = task;
                return true;
            case SystemField.Opcode:
                if (!TryInt(ref reader, out var op)) return false;
                evt.Opcode = op;
                return true;
            case SystemField.Version:
                if (!TryInt(ref reader, out var ver)) return false;
                evt.Version = ver;
                return true;
            case SystemField.Qualifiers:
                if (!TryInt(ref reader, out var q)) return false;
                evt.Qualifiers = q;
                return true;
            case SystemField.RecordId:
                if (!TryULong(ref reader, out var rec)) return false;
                evt.RecordId = rec;
                return true;
            case SystemField.Keywords:
                if (!TryULong(ref reader, out var kw)) return false;
                evt.Keywords = kw;
                return true;
            case SystemField.ProcessId:
                if (!TryULong(ref reader, out var pid) || pid > uint.MaxValue) return false;
                evt.ProcessId = (uint)pid;
                return true;
            case SystemField.ThreadId:
                if (!TryULong(ref reader, out var tid) || tid > uint.MaxValue) return false;
                evt.ThreadId = (uint)tid;
                return true;
            case SystemField.Time:
                if (!Chars(ref reader, out var ts) || !TryTime(ts, out var utc)) return false;
                evt.TimeCreated = utc;
                return true;
        }
        return false;
    }

    private bool TryInt(ref Utf8JsonReader reader, out int value)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.TryGetInt32(out value);
        value = 0;
        return Chars(ref reader, out var s) && int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private bool TryULong(ref Utf8JsonReader reader, out ulong value)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.TryGetUInt64(out value);
        value = 0;
        if (!Chars(ref reader, out var s)) return false;
        s = s.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>ISO-8601 (with Z, an offset or nothing = UTC) or .NET's <c>/Date(ms)/</c> from ConvertTo-Json.</summary>
    private static bool TryTime(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        var d = s.IndexOf("Date(", StringComparison.Ordinal);
        if (d >= 0)
        {
            var rest = s[(d + 5)..];
            var end = 0;
            while (end < rest.Length && (char.IsAsciiDigit(rest[end]) || (end == 0 && rest[end] == '-'))) end++;
            if (!long.TryParse(rest[..end], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)) return false;
            if (ms < -62135596800000L || ms > 253402300799999L) return false;
            utc = DateTime.UnixEpoch.AddMilliseconds(ms);
            return true;
        }
        return Timestamps.TryParseIso(s, out utc);
    }

    /// <summary>A short scalar as chars in the scratch buffer (numbers too); false when too long.</summary>
    private bool Chars(ref Utf8JsonReader reader, out ReadOnlySpan<char> chars)
    {
        chars = default;
        if (reader.ValueSpan.Length > MaxSystemValueChars) return false;
        if (reader.TokenType == JsonTokenType.String)
        {
            var n = reader.CopyString(_scratch);
            chars = _scratch.AsSpan(0, n);
            return true;
        }
        if (reader.TokenType != JsonTokenType.Number) return false;
        var len = Encoding.UTF8.GetChars(reader.ValueSpan, _scratch);
        chars = _scratch.AsSpan(0, len);
        return true;
    }

    private string? InternValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number)) return null;
        return Chars(ref reader, out var s) ? Intern(s) : Scalar(ref reader);
    }

    private string Intern(ReadOnlySpan<char> s)
    {
        var lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(s, out var known)) return known;
        var str = s.ToString();
        if (_interned.Count < MaxInterned) _interned[str] = str;
        return str;
    }

    private static string Clip(string s) => s.Length <= 160 ? s : s[..160] + "…";
}
