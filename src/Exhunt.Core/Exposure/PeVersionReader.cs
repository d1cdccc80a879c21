using System.Buffers.Binary;
using System.Reflection.PortableExecutable;
using System.Text;

namespace Exhunt.Exposure;

/// <summary>The version resource (VS_VERSIONINFO) of a PE file: fixed file and product versions, and ProductName.</summary>
public sealed record PeVersionInfo(ExchangeBuild FileVersion, ExchangeBuild ProductVersion, string? ProductName, string? FileVersionText);

/// <summary>
/// Reads the Win32 version resource of a PE file (exe/dll) on any OS: <c>FileVersionInfo</c> reads it only on
/// Windows. Walks the resource directory (type RT_VERSION = 16, first name, first language) to VS_VERSIONINFO and
/// its VS_FIXEDFILEINFO (signature 0xFEEF04BD). Hostile input: every offset is bounds-checked, the walk is bounded,
/// and images over <see cref="MaxBytes"/> are not read.
/// </summary>
public static class PeVersionReader
{
    public const long MaxBytes = 256L * 1024 * 1024;
    private const int RtVersion = 16;
    private const uint FixedSignature = 0xFEEF04BD;

    /// <summary>The version resource, or null (with <paramref name="why"/>) when the file is not a PE or has none.</summary>
    public static PeVersionInfo? Read(Stream stream, out string why)
    {
        try
        {
            using var seekable = Seekable(stream, out why);
            if (seekable is null) return null;
            using var pe = new PEReader(seekable, PEStreamOptions.LeaveOpen | PEStreamOptions.PrefetchEntireImage);
            var dir = pe.PEHeaders.PEHeader?.ResourceTableDirectory ?? default;
            if (dir.RelativeVirtualAddress == 0 || dir.Size == 0) { why = "no resource section"; return null; }
            var rsrc = pe.GetSectionData(dir.RelativeVirtualAddress).GetContent().AsSpan();
            var data = FindVersionData(rsrc, out why);
            if (data is not { } entry) return null;
            // The data entry holds an RVA; the version block is usually in .rsrc itself.
            var block = pe.GetSectionData((int)entry.Rva).GetContent().AsSpan();
            if (block.Length < entry.Size) { why = "version resource runs past its section"; return null; }
            return ParseVersionInfo(block[..(int)entry.Size], out why);
        }
        catch (BadImageFormatException e) { why = "not a valid PE image: " + e.Message; return null; }
        catch (InvalidOperationException e) { why = "not a valid PE image: " + e.Message; return null; }
        catch (ArgumentOutOfRangeException) { why = "PE structure points outside the file"; return null; }
    }

    private static Stream? Seekable(Stream s, out string why)
    {
        why = "";
        if (s.CanSeek)
        {
            if (s.Length > MaxBytes) { why = $"larger than {MaxBytes / (1024 * 1024)} MB, not read"; return null; }
            var copy = new MemoryStream();
            s.CopyTo(copy);
            copy.Position = 0;
            return copy;
        }
        var ms = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + n > MaxBytes) { why = $"larger than {MaxBytes / (1024 * 1024)} MB, not read"; return null; }
            ms.Write(buf, 0, n);
        }
        ms.Position = 0;
        return ms;
    }

    private readonly record struct DataEntry(uint Rva, uint Size);

    private static DataEntry? FindVersionData(ReadOnlySpan<byte> rsrc, out string why)
    {
        why = "";
        // Level 1: type; level 2: name; level 3: language. Offsets are relative to the start of the resource directory.
        var typeDir = Child(rsrc, 0, RtVersion, out why);
        if (typeDir is not { } t || !t.IsDir) { why = why.Length > 0 ? why : "no version resource"; return null; }
        var nameDir = Child(rsrc, t.Offset, null, out why);
        if (nameDir is not { } n || !n.IsDir) { why = "malformed version resource directory"; return null; }
        var lang = Child(rsrc, n.Offset, null, out why);
        if (lang is not { } l || l.IsDir) { why = "malformed version resource directory"; return null; }
        if (l.Offset + 16 > rsrc.Length) { why = "version data entry outside the resource section"; return null; }
        var rva = BinaryPrimitives.ReadUInt32LittleEndian(rsrc[l.Offset..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(rsrc[(l.Offset + 4)..]);
        if (size is 0 or > 1 << 20) { why = "implausible version resource size"; return null; }
        return new DataEntry(rva, size);
    }

    private readonly record struct Entry(int Offset, bool IsDir);

    /// <summary>The entry with this integer id (or the first entry when id is null) of the directory at <paramref name="dirOffset"/>.</summary>
    private static Entry? Child(ReadOnlySpan<byte> rsrc, int dirOffset, int? id, out string why)
    {
        why = "";
        if (dirOffset < 0 || dirOffset + 16 > rsrc.Length) { why = "resource directory outside the section"; return null; }
        int named = BinaryPrimitives.ReadUInt16LittleEndian(rsrc[(dirOffset + 12)..]);
        int ids = BinaryPrimitives.ReadUInt16LittleEndian(rsrc[(dirOffset + 14)..]);
        var count = Math.Min(named + ids, 4096);
        for (var i = 0; i < count; i++)
        {
            var e = dirOffset + 16 + i * 8;
            if (e + 8 > rsrc.Length) break;
            var nameField = BinaryPrimitives.ReadUInt32LittleEndian(rsrc[e..]);
            var target = BinaryPrimitives.ReadUInt32LittleEndian(rsrc[(e + 4)..]);
            var isNamed = (nameField & 0x8000_0000) != 0;
            if (id is { } want && (isNamed || nameField != want)) continue;
            var off = (int)(target & 0x7FFF_FFFF);
            if (off >= rsrc.Length) { why = "resource entry points outside the section"; return null; }
            return new Entry(off, (target & 0x8000_0000) != 0);
        }
        return null;
    }

    /// <summary>VS_VERSIONINFO: the fixed part, then ProductName/FileVersion from the first StringTable.</summary>
    internal static PeVersionInfo? ParseVersionInfo(ReadOnlySpan<byte> block, out string why)
    {
        why = "";
        var key = Encoding.Unicode.GetBytes("VS_VERSION_INFO\0");
        if (block.Length < 6 + key.Length || !block[6..].StartsWith(key)) { why = "version resource without VS_VERSION_INFO"; return null; }
        var fixedAt = Align4(6 + key.Length);
        if (fixedAt + 52 > block.Length || BinaryPrimitives.ReadUInt32LittleEndian(block[fixedAt..]) != FixedSignature)
        {
            why = "version resource without VS_FIXEDFILEINFO";
            return null;
        }
        var file = FromMsLs(BinaryPrimitives.ReadUInt32LittleEndian(block[(fixedAt + 8)..]), BinaryPrimitives.ReadUInt32LittleEndian(block[(fixedAt + 12)..]));
        var product = FromMsLs(BinaryPrimitives.ReadUInt32LittleEndian(block[(fixedAt + 16)..]), BinaryPrimitives.ReadUInt32LittleEndian(block[(fixedAt + 20)..]));
        return new PeVersionInfo(file, product, StringValue(block, "ProductName"), StringValue(block, "FileVersion"));
    }

    private static ExchangeBuild FromMsLs(uint ms, uint ls) => new((int)(ms >> 16), (int)(ms & 0xFFFF), (int)(ls >> 16), (int)(ls & 0xFFFF));

    /// <summary>The value of a String structure (wLength, wValueLength, wType, szKey, padding, Value) with this key.</summary>
    private static string? StringValue(ReadOnlySpan<byte> block, string name)
    {
        var key = Encoding.Unicode.GetBytes(name + "\0");
        var from = 0;
        while (from < block.Length)
        {
            var i = block[from..].IndexOf(key);
            if (i < 0) return null;
            var keyAt = from + i;
            from = keyAt + 2;
            if (keyAt < 6 || (keyAt - 6) % 2 != 0) continue;
            var start = keyAt - 6;
            var length = BinaryPrimitives.ReadUInt16LittleEndian(block[start..]);
            var valueChars = BinaryPrimitives.ReadUInt16LittleEndian(block[(start + 2)..]);
            var valueAt = Align4(keyAt + key.Length);
            var end = Math.Min(Math.Min(start + length, block.Length), valueAt + valueChars * 2);
            if (valueAt >= end) continue;
            var text = Encoding.Unicode.GetString(block[valueAt..(end - (end - valueAt) % 2)]).TrimEnd('\0').Trim();
            return text.Length == 0 ? null : text.Length > 200 ? text[..200] : text;
        }
        return null;
    }

    private static int Align4(int x) => (x + 3) & ~3;
}
