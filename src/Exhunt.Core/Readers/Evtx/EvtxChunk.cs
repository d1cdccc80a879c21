using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Exhunt.Readers.Evtx;

/// <summary>
/// One 64 KiB chunk in memory: its header, and the per-chunk caches of names and templates that binary XML
/// refers to by chunk-relative offset. The buffer is reused for the next chunk (see <see cref="Reset"/>).
/// </summary>
internal sealed class EvtxChunk
{
    public const int Size = 0x10000;
    public const int HeaderSize = 512;
    public static ReadOnlySpan<byte> Signature => "ElfChnk\0"u8;

    public readonly byte[] Buffer;
    private readonly Dictionary<int, string> _names = new();
    private readonly Dictionary<int, BxTemplate?> _templates = new();

    public EvtxChunk(byte[] buffer)
    {
        Buffer = buffer;
        Walker = new BinXmlWalker(this);
    }

    /// <summary>Reused for every record of the file (records are handed out one at a time).</summary>
    public WinEventBuilder EventBuilder { get; } = new();
    public BinXmlWalker Walker { get; }

    /// <summary>Zero-based index of the chunk in the file.</summary>
    public int Index { get; private set; }
    public ulong FirstRecordId => U64(24);
    public ulong LastRecordId => U64(32);
    public uint FreeSpaceOffset => U32(48);
    public uint RecordsChecksum => U32(52);
    public uint HeaderChecksum => U32(124);

    public void Reset(int index)
    {
        Index = index;
        _names.Clear();
        _templates.Clear();
        Walker.StartChunk();
    }

    public bool HasSignature => Buffer.AsSpan(0, 8).SequenceEqual(Signature);

    public bool IsAllZero => Buffer.AsSpan(0, Size).IndexOfAnyExcept((byte)0) < 0;

    /// <summary>CRC32 of bytes 0..120 and 128..512.</summary>
    public uint ComputeHeaderChecksum() =>
        Crc32.Finish(Crc32.Append(Crc32.Append(Crc32.Start, Buffer.AsSpan(0, 120)), Buffer.AsSpan(128, HeaderSize - 128)));

    public ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(Buffer.AsSpan(offset));
    public uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Buffer.AsSpan(offset));

    /// <summary>The name (BinXmlName) at a chunk offset: 4 unknown bytes, hash, character count, UTF-16, NUL.</summary>
    public string Name(int offset)
    {
        if (_names.TryGetValue(offset, out var cached)) return cached;
        if (offset < HeaderSize || offset > Size - 10)
            throw new EvtxFormatException($"name offset 0x{offset:x} is outside the chunk");
        int chars = BinaryPrimitives.ReadUInt16LittleEndian(Buffer.AsSpan(offset + 6));
        if (offset + 8 + chars * 2 > Size)
            throw new EvtxFormatException($"name at 0x{offset:x} ({chars} characters) runs past the chunk end");
        var name = new string(MemoryMarshal.Cast<byte, char>(Buffer.AsSpan(offset + 8, chars * 2)));
        _names[offset] = name;
        return name;
    }

    /// <summary>Size in bytes of the name structure at <paramref name="offset"/> (for skipping an inline definition).</summary>
    public int NameSize(int offset) => 10 + BinaryPrimitives.ReadUInt16LittleEndian(Buffer.AsSpan(offset + 6)) * 2;

    public bool TryGetTemplate(int offset, out BxTemplate? template) => _templates.TryGetValue(offset, out template);

    /// <summary>Marks a template as being parsed (null) so a template that refers to itself is caught, then stores it.</summary>
    public void SetTemplate(int offset, BxTemplate? template) => _templates[offset] = template;
    public void ForgetTemplate(int offset) => _templates.Remove(offset);
}
