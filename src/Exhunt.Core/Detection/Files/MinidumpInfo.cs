using System.Buffers.Binary;
using System.Text;

namespace Exhunt.Detection.Files;

/// <summary>
/// What a Windows minidump (MINIDUMP_HEADER "MDMP") says about the dumped process: the module names of its
/// ModuleListStream. Only the first <see cref="MaxBytes"/> bytes are read — the header, directory and module list
/// come first in dumps written by MiniDumpWriteDump (procdump, comsvcs.dll MiniDump, Task Manager); memory follows.
/// </summary>
public sealed record MinidumpInfo(string? ProcessImage, bool HasLsass)
{
    public const int MaxBytes = 1 << 20;
    private const uint ModuleListStream = 4;
    private const int ModuleSize = 108;

    public static MinidumpInfo Read(Stream stream)
    {
        var buf = new byte[MaxBytes];
        var n = stream.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
        return Parse(buf.AsSpan(0, n));
    }

    public static MinidumpInfo Parse(ReadOnlySpan<byte> dump)
    {
        var unknown = new MinidumpInfo(null, false);
        if (dump.Length < 32 || !dump.StartsWith("MDMP"u8)) return unknown;
        var streams = Math.Min(U32(dump, 8), 512u);
        var dir = U32(dump, 12);
        for (var i = 0u; i < streams; i++)
        {
            var at = (long)dir + i * 12;
            if (at + 12 > dump.Length) return unknown;
            if (U32(dump, (int)at) != ModuleListStream) continue;
            return Modules(dump, U32(dump, (int)at + 8));
        }
        return unknown;
    }

    private static MinidumpInfo Modules(ReadOnlySpan<byte> dump, uint listRva)
    {
        if (listRva + 4L > dump.Length) return new MinidumpInfo(null, false);
        var count = Math.Min(U32(dump, (int)listRva), 4096u);
        string? first = null;
        var lsass = false;
        for (var i = 0u; i < count; i++)
        {
            var module = (long)listRva + 4 + i * ModuleSize;
            if (module + ModuleSize > dump.Length) break;
            var name = ReadString(dump, U32(dump, (int)module + 20));
            if (name is null) continue;
            first ??= name;
            if (name.EndsWith("\\lsass.exe", StringComparison.OrdinalIgnoreCase) || name.Equals("lsass.exe", StringComparison.OrdinalIgnoreCase))
                lsass = true;
        }
        return new MinidumpInfo(first, lsass);
    }

    /// <summary>MINIDUMP_STRING: a byte length, then UTF-16LE text.</summary>
    private static string? ReadString(ReadOnlySpan<byte> dump, uint rva)
    {
        if (rva + 4L > dump.Length) return null;
        var bytes = U32(dump, (int)rva);
        if (bytes == 0 || bytes > 2048 || bytes % 2 != 0 || rva + 4L + bytes > dump.Length) return null;
        return Encoding.Unicode.GetString(dump.Slice((int)rva + 4, (int)bytes));
    }

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at, 4));
}
