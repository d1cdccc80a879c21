using System.Buffers.Binary;
using System.Text;

namespace Exhunt.Detection.Files;

/// <summary>
/// Names of the first entries of a zip or cabinet, read from the head bytes only (zip local headers, CAB CFFILE
/// records). 7z and RAR keep their listing at the end or compressed: they report none.
/// </summary>
public static class ArchiveContents
{
    public static List<string> FirstNames(ReadOnlySpan<byte> head, int max = 16)
    {
        var names = new List<string>();
        if (head.StartsWith("PK\x03\x04"u8)) Zip(head, names, max);
        else if (head.StartsWith("MSCF"u8)) Cab(head, names, max);
        return names;
    }

    private static void Zip(ReadOnlySpan<byte> head, List<string> names, int max)
    {
        var at = 0;
        while (names.Count < max && at + 30 <= head.Length && head.Slice(at, 4).SequenceEqual("PK\x03\x04"u8))
        {
            var flags = U16(head, at + 6);
            var compressed = BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(at + 18, 4));
            int nameLen = U16(head, at + 26), extraLen = U16(head, at + 28);
            if (at + 30 + nameLen > head.Length) break;
            names.Add(Encoding.UTF8.GetString(head.Slice(at + 30, nameLen)));
            // Bit 3: sizes follow the data, so the next header cannot be found from here.
            if ((flags & 0x8) != 0) break;
            var next = (long)at + 30 + nameLen + extraLen + compressed;
            if (next > head.Length) break;
            at = (int)next;
        }
    }

    private static void Cab(ReadOnlySpan<byte> head, List<string> names, int max)
    {
        if (head.Length < 36) return;
        var at = (long)BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(16, 4)); // coffFiles
        var files = U16(head, 28);
        for (var i = 0; i < files && names.Count < max; i++)
        {
            if (at + 16 >= head.Length) break;
            var nameStart = (int)at + 16;
            var end = head[nameStart..].IndexOf((byte)0);
            if (end <= 0 || end > 512) break;
            names.Add(Encoding.Latin1.GetString(head.Slice(nameStart, end)));
            at = nameStart + end + 1;
        }
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at, 2));
}
