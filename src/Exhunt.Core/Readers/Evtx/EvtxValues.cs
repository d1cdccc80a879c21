using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Exhunt.Readers.Evtx;

/// <summary>Substitution value types (MS-EVEN6) and their text forms, as Windows renders event XML.</summary>
internal static class EvtxValues
{
    public const byte Null = 0x00, String = 0x01, AnsiString = 0x02, Int8 = 0x03, UInt8 = 0x04, Int16 = 0x05, UInt16 = 0x06,
        Int32 = 0x07, UInt32 = 0x08, Int64 = 0x09, UInt64 = 0x0A, Real32 = 0x0B, Real64 = 0x0C, Bool = 0x0D, Binary = 0x0E,
        Guid = 0x0F, SizeT = 0x10, FileTime = 0x11, SystemTime = 0x12, Sid = 0x13, HexInt32 = 0x14, HexInt64 = 0x15,
        EvtHandle = 0x20, BinXml = 0x21, EvtXml = 0x23, ArrayFlag = 0x80;

    private const long FileTimeEpochTicks = 504911232000000000; // 1601-01-01 in DateTime ticks

    /// <summary>Fixed element size of a type (arrays split by it), 0 for variable-size types.</summary>
    public static int ElementSize(byte type) => (type & 0x7F) switch
    {
        Int8 or UInt8 => 1,
        Int16 or UInt16 => 2,
        Int32 or UInt32 or Real32 or Bool or HexInt32 => 4,
        Int64 or UInt64 or Real64 or FileTime or HexInt64 => 8,
        Guid or SystemTime => 16,
        _ => 0,
    };

    /// <summary>Integer value of an integer-typed value (what System fields such as EventID hold), without text.</summary>
    public static bool TryGetInteger(byte[] buf, BxValue v, out ulong value)
    {
        var s = buf.AsSpan(v.Offset, v.Size);
        value = 0;
        switch (v.Type)
        {
            case Int8: if (s.Length < 1) return false; value = (ulong)(long)(sbyte)s[0]; return true;
            case UInt8: if (s.Length < 1) return false; value = s[0]; return true;
            case Int16: if (s.Length < 2) return false; value = (ulong)(long)BinaryPrimitives.ReadInt16LittleEndian(s); return true;
            case UInt16: if (s.Length < 2) return false; value = BinaryPrimitives.ReadUInt16LittleEndian(s); return true;
            case Int32: if (s.Length < 4) return false; value = (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(s); return true;
            case UInt32 or HexInt32 or Bool: if (s.Length < 4) return false; value = BinaryPrimitives.ReadUInt32LittleEndian(s); return true;
            case Int64 or UInt64 or HexInt64: if (s.Length < 8) return false; value = BinaryPrimitives.ReadUInt64LittleEndian(s); return true;
            case SizeT when s.Length == 4: value = BinaryPrimitives.ReadUInt32LittleEndian(s); return true;
            case SizeT when s.Length == 8: value = BinaryPrimitives.ReadUInt64LittleEndian(s); return true;
            default: return false;
        }
    }

    public static bool TryGetFileTime(byte[] buf, BxValue v, out DateTime utc)
    {
        utc = default;
        if (v.Type != FileTime || v.Size < 8) return false;
        return TryFileTime(BinaryPrimitives.ReadInt64LittleEndian(buf.AsSpan(v.Offset)), out utc);
    }

    public static bool TryFileTime(long fileTime, out DateTime utc)
    {
        utc = default;
        if (fileTime < 0 || fileTime > DateTime.MaxValue.Ticks - FileTimeEpochTicks) return false;
        utc = new DateTime(fileTime + FileTimeEpochTicks, DateTimeKind.Utc);
        return true;
    }

    [ThreadStatic] private static StringBuilder? _scratch;

    public static string ToText(byte[] buf, BxValue v)
    {
        if (v.Type == String) return Utf16(buf.AsSpan(v.Offset, v.Size));
        if (v.Type == Null) return "";
        var sb = _scratch ??= new StringBuilder(256);
        sb.Clear();
        Append(sb, buf, v);
        return sb.ToString();
    }

    /// <summary>Appends the text of a value; arrays are rendered item by item joined with ", ".</summary>
    public static void Append(StringBuilder sb, byte[] buf, BxValue v)
    {
        var data = buf.AsSpan(v.Offset, v.Size);
        if ((v.Type & ArrayFlag) == 0)
        {
            AppendScalar(sb, v.Type, data);
            return;
        }
        var items = new List<BxValue>();
        SplitArray(buf, v, items);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            AppendScalar(sb, items[i].Type, buf.AsSpan(items[i].Offset, items[i].Size));
        }
    }

    /// <summary>Splits an array value into its items (strings at their NUL terminators, fixed-size types by size).</summary>
    public static void SplitArray(byte[] buf, BxValue v, List<BxValue> items)
    {
        var type = (byte)(v.Type & 0x7F);
        var data = buf.AsSpan(v.Offset, v.Size);
        if (type == String || type == AnsiString)
        {
            var unit = type == String ? 2 : 1;
            var start = 0;
            var i = 0;
            for (; i + unit <= data.Length; i += unit)
            {
                if (data[i] != 0 || (unit == 2 && data[i + 1] != 0)) continue;
                items.Add(new BxValue(type, v.Offset + start, i - start));
                start = i + unit;
            }
            if (start < i) items.Add(new BxValue(type, v.Offset + start, i - start));
            return;
        }
        if (type == Sid)
        {
            var i = 0;
            while (i + 8 <= data.Length)
            {
                var n = 8 + data[i + 1] * 4;
                if (i + n > data.Length) break;
                items.Add(new BxValue(type, v.Offset + i, n));
                i += n;
            }
            return;
        }
        var size = type == SizeT ? (data.Length % 8 == 0 ? 8 : 4) : ElementSize(type);
        if (size == 0) { items.Add(new BxValue(Binary, v.Offset, v.Size)); return; }
        for (var i = 0; i + size <= data.Length; i += size) items.Add(new BxValue(type, v.Offset + i, size));
    }

    public static string Utf16(ReadOnlySpan<byte> data)
    {
        var chars = MemoryMarshal.Cast<byte, char>(data[..(data.Length & ~1)]);
        var end = chars.Length;
        while (end > 0 && chars[end - 1] == '\0') end--;
        return end == 0 ? "" : new string(chars[..end]);
    }

    private static void AppendScalar(StringBuilder sb, byte type, ReadOnlySpan<byte> s)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (type)
        {
            case Null: return;
            case String:
                {
                    var chars = MemoryMarshal.Cast<byte, char>(s[..(s.Length & ~1)]);
                    var end = chars.Length;
                    while (end > 0 && chars[end - 1] == '\0') end--;
                    sb.Append(chars[..end]);
                    return;
                }
            case AnsiString:
                {
                    var end = s.Length;
                    while (end > 0 && s[end - 1] == 0) end--;
                    foreach (var b in s[..end]) sb.Append(b is >= 0x80 and < 0xA0 ? Windows1252High[b - 0x80] : (char)b);
                    return;
                }
            case Int8 when s.Length >= 1: sb.Append(((sbyte)s[0]).ToString(inv)); return;
            case UInt8 when s.Length >= 1: sb.Append(s[0].ToString(inv)); return;
            case Int16 when s.Length >= 2: sb.Append(BinaryPrimitives.ReadInt16LittleEndian(s).ToString(inv)); return;
            case UInt16 when s.Length >= 2: sb.Append(BinaryPrimitives.ReadUInt16LittleEndian(s).ToString(inv)); return;
            case Int32 when s.Length >= 4: sb.Append(BinaryPrimitives.ReadInt32LittleEndian(s).ToString(inv)); return;
            case UInt32 when s.Length >= 4: sb.Append(BinaryPrimitives.ReadUInt32LittleEndian(s).ToString(inv)); return;
            case Int64 when s.Length >= 8: sb.Append(BinaryPrimitives.ReadInt64LittleEndian(s).ToString(inv)); return;
            case UInt64 when s.Length >= 8: sb.Append(BinaryPrimitives.ReadUInt64LittleEndian(s).ToString(inv)); return;
            case Real32 when s.Length >= 4: sb.Append(BinaryPrimitives.ReadSingleLittleEndian(s).ToString("R", inv)); return;
            case Real64 when s.Length >= 8: sb.Append(BinaryPrimitives.ReadDoubleLittleEndian(s).ToString("R", inv)); return;
            case Bool when s.Length >= 4: sb.Append(BinaryPrimitives.ReadUInt32LittleEndian(s) != 0 ? "true" : "false"); return;
            case Guid when s.Length >= 16:
                {
                    Span<char> g = stackalloc char[38];
                    new System.Guid(s[..16]).TryFormat(g, out _, "B");
                    for (var i = 0; i < g.Length; i++) if (g[i] is >= 'a' and <= 'f') g[i] = (char)(g[i] - 32);
                    sb.Append(g);
                    return;
                }
            case SizeT when s.Length == 4:
            case HexInt32 when s.Length >= 4:
                sb.Append("0x").Append(BinaryPrimitives.ReadUInt32LittleEndian(s).ToString("x", inv)); return;
            case SizeT when s.Length == 8:
            case HexInt64 when s.Length >= 8:
                sb.Append("0x").Append(BinaryPrimitives.ReadUInt64LittleEndian(s).ToString("x", inv)); return;
            case FileTime when s.Length >= 8:
                {
                    var ft = BinaryPrimitives.ReadInt64LittleEndian(s);
                    if (TryFileTime(ft, out var t)) AppendTime(sb, t);
                    else sb.Append(ft.ToString(inv));
                    return;
                }
            case SystemTime when s.Length >= 16:
                AppendSystemTime(sb, s);
                return;
            case Sid when s.Length >= 8:
                AppendSid(sb, s);
                return;
            default:
                AppendHex(sb, s);
                return;
        }
    }

    /// <summary>
    /// Windows-1252 (the default ANSI code page) for bytes 0x80-0x9F; the other bytes map to the same code points as
    /// Latin-1. Undefined bytes keep their C1 code point.
    /// </summary>
    private const string Windows1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /// <summary>ISO-8601 UTC with 7 fractional digits, as Windows renders SystemTime.</summary>
    public static void AppendTime(StringBuilder sb, DateTime utc)
    {
        Span<char> c = stackalloc char[28];
        Digits(c[..4], utc.Year); c[4] = '-'; Digits(c.Slice(5, 2), utc.Month); c[7] = '-'; Digits(c.Slice(8, 2), utc.Day);
        c[10] = 'T'; Digits(c.Slice(11, 2), utc.Hour); c[13] = ':'; Digits(c.Slice(14, 2), utc.Minute); c[16] = ':';
        Digits(c.Slice(17, 2), utc.Second); c[19] = '.'; Digits(c.Slice(20, 7), (int)(utc.Ticks % TimeSpan.TicksPerSecond)); c[27] = 'Z';
        sb.Append(c);
    }

    private static void Digits(Span<char> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--, value /= 10) into[i] = (char)('0' + value % 10);
    }

    private static void AppendSystemTime(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        Span<int> f = stackalloc int[8];
        for (var i = 0; i < 8; i++) f[i] = BinaryPrimitives.ReadUInt16LittleEndian(s[(i * 2)..]);
        int y = f[0], mo = f[1], d = f[3], h = f[4], mi = f[5], sec = f[6], ms = f[7];
        if (y is >= 1 and <= 9999 && mo is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, mo) && h < 24 && mi < 60 && sec < 60 && ms < 1000)
            sb.Append(new DateTime(y, mo, d, h, mi, sec, ms, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        else
            AppendHex(sb, s[..16]);
    }

    private static void AppendSid(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        int count = s[1];
        if (8 + count * 4 > s.Length) { AppendHex(sb, s); return; }
        ulong authority = 0;
        for (var i = 2; i < 8; i++) authority = (authority << 8) | s[i];
        sb.Append("S-").Append(s[0]).Append('-').Append(authority);
        for (var i = 0; i < count; i++)
            sb.Append('-').Append(BinaryPrimitives.ReadUInt32LittleEndian(s[(8 + i * 4)..]));
    }

    private static void AppendHex(StringBuilder sb, ReadOnlySpan<byte> s)
    {
        const string digits = "0123456789ABCDEF";
        foreach (var b in s) sb.Append(digits[b >> 4]).Append(digits[b & 15]);
    }
}
