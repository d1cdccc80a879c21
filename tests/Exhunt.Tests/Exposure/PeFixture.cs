using System.Buffers.Binary;
using System.Text;

namespace Exhunt.Tests.Exposure;

/// <summary>Builds a minimal PE32 image whose only section is .rsrc holding a VS_VERSIONINFO resource.</summary>
public static class PeFixture
{
    public static byte[] Build(int a, int b, int c, int d, string productName = "Microsoft® Exchange", string? fileVersionText = null)
    {
        var version = VersionInfo(a, b, c, d, productName, fileVersionText ?? $"{a:00}.{b:00}.{c:0000}.{d:000}");
        const int rva = 0x1000;
        var rsrc = new List<byte>();
        rsrc.AddRange(Dir(1, 16, 0x8000_0000 | 24));          // type RT_VERSION
        rsrc.AddRange(Dir(1, 1, 0x8000_0000 | 48));           // name 1
        rsrc.AddRange(Dir(1, 0x409, 72));                      // language → data entry
        rsrc.AddRange(U32(rva + 88)); rsrc.AddRange(U32((uint)version.Length)); rsrc.AddRange(U32(0)); rsrc.AddRange(U32(0));
        rsrc.AddRange(version);
        var raw = Align(rsrc.Count, 0x200);

        var image = new byte[0x200 + raw];
        var s = image.AsSpan();
        s[0] = (byte)'M'; s[1] = (byte)'Z';
        BinaryPrimitives.WriteInt32LittleEndian(s[0x3C..], 0x80);
        "PE\0\0"u8.CopyTo(s[0x80..]);
        var coff = s[0x84..];
        BinaryPrimitives.WriteUInt16LittleEndian(coff, 0x14C);
        BinaryPrimitives.WriteUInt16LittleEndian(coff[2..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(coff[16..], 0xE0);
        BinaryPrimitives.WriteUInt16LittleEndian(coff[18..], 0x0102);
        var opt = s[0x98..];
        BinaryPrimitives.WriteUInt16LittleEndian(opt, 0x10B);
        BinaryPrimitives.WriteUInt32LittleEndian(opt[28..], 0x400000);  // ImageBase
        BinaryPrimitives.WriteUInt32LittleEndian(opt[32..], 0x1000);    // SectionAlignment
        BinaryPrimitives.WriteUInt32LittleEndian(opt[36..], 0x200);     // FileAlignment
        BinaryPrimitives.WriteUInt16LittleEndian(opt[40..], 6);         // OS version
        BinaryPrimitives.WriteUInt16LittleEndian(opt[48..], 6);         // subsystem version
        BinaryPrimitives.WriteUInt32LittleEndian(opt[56..], (uint)(rva + Align(rsrc.Count, 0x1000)));  // SizeOfImage
        BinaryPrimitives.WriteUInt32LittleEndian(opt[60..], 0x200);     // SizeOfHeaders
        BinaryPrimitives.WriteUInt16LittleEndian(opt[68..], 2);         // GUI subsystem
        BinaryPrimitives.WriteUInt32LittleEndian(opt[72..], 0x100000);
        BinaryPrimitives.WriteUInt32LittleEndian(opt[76..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(opt[80..], 0x100000);
        BinaryPrimitives.WriteUInt32LittleEndian(opt[84..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(opt[92..], 16);        // NumberOfRvaAndSizes
        BinaryPrimitives.WriteUInt32LittleEndian(opt[(96 + 2 * 8)..], rva);                // resource directory
        BinaryPrimitives.WriteUInt32LittleEndian(opt[(96 + 2 * 8 + 4)..], (uint)rsrc.Count);
        var sec = s[(0x98 + 0xE0)..];
        ".rsrc"u8.CopyTo(sec);
        BinaryPrimitives.WriteUInt32LittleEndian(sec[8..], (uint)rsrc.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(sec[12..], rva);
        BinaryPrimitives.WriteUInt32LittleEndian(sec[16..], (uint)raw);
        BinaryPrimitives.WriteUInt32LittleEndian(sec[20..], 0x200);
        BinaryPrimitives.WriteUInt32LittleEndian(sec[36..], 0x40000040);
        rsrc.ToArray().CopyTo(image, 0x200);
        return image;
    }

    private static byte[] VersionInfo(int a, int b, int c, int d, string productName, string fileVersionText)
    {
        var fixedInfo = new byte[52];
        var f = fixedInfo.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(f, 0xFEEF04BD);
        BinaryPrimitives.WriteUInt32LittleEndian(f[4..], 0x10000);
        BinaryPrimitives.WriteUInt32LittleEndian(f[8..], (uint)(a << 16 | b));
        BinaryPrimitives.WriteUInt32LittleEndian(f[12..], (uint)(c << 16 | d));
        BinaryPrimitives.WriteUInt32LittleEndian(f[16..], (uint)(a << 16 | b));
        BinaryPrimitives.WriteUInt32LittleEndian(f[20..], (uint)(c << 16 | d));
        var strings = Node("040904B0", [], 1, [Str("ProductName", productName), Str("FileVersion", fileVersionText)]);
        var sfi = Node("StringFileInfo", [], 1, [strings]);
        return Node("VS_VERSION_INFO", fixedInfo, 0, [sfi], valueLength: 52);
    }

    private static byte[] Str(string key, string value)
    {
        var v = Encoding.Unicode.GetBytes(value + "\0");
        return Node(key, v, 1, [], valueLength: value.Length + 1);
    }

    private static byte[] Node(string key, byte[] value, int type, byte[][] children, int? valueLength = null)
    {
        var body = new List<byte>();
        body.AddRange(new byte[6]);
        body.AddRange(Encoding.Unicode.GetBytes(key + "\0"));
        Pad(body);
        body.AddRange(value);
        foreach (var child in children) { Pad(body); body.AddRange(child); }
        var arr = body.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(arr, (ushort)arr.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(arr.AsSpan(2), (ushort)(valueLength ?? value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(arr.AsSpan(4), (ushort)type);
        return arr;
    }

    private static void Pad(List<byte> b) { while (b.Count % 4 != 0) b.Add(0); }
    private static int Align(int x, int a) => (x + a - 1) / a * a;
    private static byte[] U32(long v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)v); return b; }

    private static byte[] Dir(int count, int id, long target)
    {
        var b = new byte[16 + 8 * count];
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)id);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), (uint)target);
        return b;
    }
}
