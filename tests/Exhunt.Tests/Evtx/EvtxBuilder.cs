using System.Buffers.Binary;
using System.Text;
using Exhunt.Readers.Evtx;

namespace Exhunt.Tests.Evtx;

/// <summary>
/// Writes synthetic .evtx files for tests, straight from the format: a file header, 64 KiB chunks, records of
/// binary XML with names and template definitions inline or referenced by chunk offset, and correct CRC32s (which
/// tests can then break on purpose).
/// </summary>
internal sealed class EvtxBuilder
{
    private readonly List<ChunkWriter> _chunks = [];

    public ChunkWriter Chunk()
    {
        var c = new ChunkWriter();
        _chunks.Add(c);
        return c;
    }

    /// <summary>Header counts <paramref name="headerChunks"/> chunks (default: all) and next record id after the last.</summary>
    public byte[] Build(int? headerChunks = null, ulong? nextRecordId = null)
    {
        var file = new byte[4096 + _chunks.Count * 0x10000];
        "ElfFile\0"u8.CopyTo(file);
        var last = _chunks.Count == 0 ? 0UL : _chunks[^1].LastId;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)Math.Max(0, _chunks.Count - 1));
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(24), nextRecordId ?? last + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(32), 128);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(36), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(38), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(40), 4096);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(42), (ushort)(headerChunks ?? _chunks.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(124), Crc32.Compute(file.AsSpan(0, 120)));
        for (var i = 0; i < _chunks.Count; i++) _chunks[i].Finish().CopyTo(file, 4096 + i * 0x10000);
        return file;
    }

    public static byte[] OneRecordFile(Action<BinXmlWriter> body, ulong id = 1)
    {
        var b = new EvtxBuilder();
        b.Chunk().Record(id, body);
        return b.Build();
    }
}

internal sealed class ChunkWriter
{
    public readonly byte[] Buffer = new byte[0x10000];
    public int Position = 512;
    public ulong FirstId, LastId;
    private int _lastRecord = 512;
    internal readonly Dictionary<string, int> Names = new();
    internal readonly Dictionary<string, int> Templates = new();

    public void Record(ulong id, Action<BinXmlWriter> body, DateTime? written = null)
    {
        if (FirstId == 0) FirstId = id;
        LastId = id;
        var start = Position;
        BinaryPrimitives.WriteUInt32LittleEndian(Buffer.AsSpan(start), 0x2A2A);
        BinaryPrimitives.WriteUInt64LittleEndian(Buffer.AsSpan(start + 8), id);
        BinaryPrimitives.WriteInt64LittleEndian(Buffer.AsSpan(start + 16), (written ?? new DateTime(2021, 3, 2, 1, 2, 3, DateTimeKind.Utc)).ToFileTimeUtc());
        var w = new BinXmlWriter(this, start + 24);
        body(w);
        w.Position += (8 - (w.Position + 4 - start) % 8) % 8; // records are 8-byte aligned
        var end = w.Position + 4;
        var size = end - start;
        BinaryPrimitives.WriteUInt32LittleEndian(Buffer.AsSpan(start + 4), (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(Buffer.AsSpan(end - 4), (uint)size);
        _lastRecord = start;
        Position = end;
    }

    public byte[] Finish()
    {
        var b = Buffer;
        "ElfChnk\0"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), FirstId);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), LastId);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), FirstId);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), LastId);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), 128);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(44), (uint)_lastRecord);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(48), (uint)Position);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(52), Crc32.Compute(b.AsSpan(512, Position - 512)));
        var crc = Crc32.Finish(Crc32.Append(Crc32.Append(Crc32.Start, b.AsSpan(0, 120)), b.AsSpan(128, 384)));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(124), crc);
        return b;
    }
}

/// <summary>Binary XML tokens written at chunk positions (names and templates are chunk-relative).</summary>
internal sealed class BinXmlWriter(ChunkWriter chunk, int position, bool dependencyId = true)
{
    public int Position = position;
    private readonly byte[] _b = chunk.Buffer;

    public byte[] GetChunk() => _b;

    public BinXmlWriter U8(byte v) { _b[Position++] = v; return this; }
    public BinXmlWriter U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(_b.AsSpan(Position), v); Position += 2; return this; }
    public BinXmlWriter U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(_b.AsSpan(Position), v); Position += 4; return this; }
    public BinXmlWriter Bytes(ReadOnlySpan<byte> v) { v.CopyTo(_b.AsSpan(Position)); Position += v.Length; return this; }
    public BinXmlWriter Utf16(string s) => Bytes(Encoding.Unicode.GetBytes(s));

    public BinXmlWriter Fragment() => U8(0x0F).U8(1).U8(1).U8(0);
    public BinXmlWriter Eof() => U8(0x00);

    /// <summary>A name reference: inline the first time in the chunk, by offset afterwards.</summary>
    public BinXmlWriter Name(string name)
    {
        if (chunk.Names.TryGetValue(name, out var at)) return U32((uint)at);
        var offset = Position + 4;
        chunk.Names[name] = offset;
        U32((uint)offset).U32(0).U16(0).U16((ushort)name.Length).Utf16(name).U16(0);
        return this;
    }

    /// <summary>An element: <paramref name="attributes"/> write attribute values; <paramref name="content"/> null = empty element.</summary>
    public BinXmlWriter Element(string name, Action<BinXmlWriter>? content, params (string Name, Action<BinXmlWriter> Value)[] attributes)
    {
        U8(attributes.Length > 0 ? (byte)0x41 : (byte)0x01);
        if (dependencyId) U16(0xFFFF);
        var sizeAt = Position;
        U32(0);
        Name(name);
        if (attributes.Length > 0)
        {
            var listAt = Position;
            U32(0);
            for (var i = 0; i < attributes.Length; i++)
            {
                U8(i < attributes.Length - 1 ? (byte)0x46 : (byte)0x06);
                Name(attributes[i].Name);
                attributes[i].Value(this);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(_b.AsSpan(listAt), (uint)(Position - listAt - 4));
        }
        if (content is null) U8(0x03);
        else
        {
            U8(0x02);
            content(this);
            U8(0x04);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_b.AsSpan(sizeAt), (uint)(Position - sizeAt - 4));
        return this;
    }

    public BinXmlWriter Text(string s) => U8(0x05).U8(0x01).U16((ushort)s.Length).Utf16(s);
    public BinXmlWriter Sub(ushort index, byte type, bool optional = false) => U8(optional ? (byte)0x0E : (byte)0x0D).U16(index).U8(type);

    /// <summary>A template instance: the definition is written inline the first time <paramref name="key"/> is seen in the chunk.</summary>
    public BinXmlWriter Template(string key, Action<BinXmlWriter> body, params Val[] values)
    {
        U8(0x0C).U8(0x01).U32(0x1234);
        if (chunk.Templates.TryGetValue(key, out var at)) U32((uint)at);
        else
        {
            var offset = Position + 4;
            chunk.Templates[key] = offset;
            U32((uint)offset);
            U32(0).Bytes(Guid.NewGuid().ToByteArray());
            var sizeAt = Position;
            U32(0);
            var bodyStart = Position;
            Fragment();
            body(this);
            Eof();
            BinaryPrimitives.WriteUInt32LittleEndian(_b.AsSpan(sizeAt), (uint)(Position - bodyStart));
        }
        Values(values);
        return this;
    }

    public BinXmlWriter Values(params Val[] values)
    {
        U32((uint)values.Length);
        var descriptors = Position;
        foreach (var v in values) U16((ushort)(v.Data?.Length ?? 0)).U8(v.Type).U8(0);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Xml is not { } xml) { Bytes(values[i].Data!); continue; }
            // Binary XML value: element starts without dependency identifier, names at chunk offsets.
            var nested = new BinXmlWriter(chunk, Position, dependencyId: false);
            xml(nested);
            BinaryPrimitives.WriteUInt16LittleEndian(_b.AsSpan(descriptors + i * 4), (ushort)(nested.Position - Position));
            Position = nested.Position;
        }
        return this;
    }
}

/// <summary>A template value: bytes, or Binary XML written in place.</summary>
internal sealed record Val(byte Type, byte[]? Data, Action<BinXmlWriter>? Xml = null)
{
    public static implicit operator Val((byte Type, byte[] Data) v) => new(v.Type, v.Data);
}

internal static class V
{
    public static Val BinXml(Action<BinXmlWriter> xml) => new(0x21, null, xml);
    public static (byte, byte[]) Str(string s) => (0x01, Encoding.Unicode.GetBytes(s));
    public static (byte, byte[]) U16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); return (0x06, b); }
    public static (byte, byte[]) U8(byte v) => (0x04, [v]);
    public static (byte, byte[]) U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return (0x08, b); }
    public static (byte, byte[]) U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return (0x0A, b); }
    public static (byte, byte[]) Hex64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return (0x15, b); }
    public static (byte, byte[]) FileTime(DateTime t) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, t.ToFileTimeUtc()); return (0x11, b); }
    public static (byte, byte[]) Guid_(Guid g) => (0x0F, g.ToByteArray());
    public static (byte, byte[]) Null() => (0x00, []);
    public static (byte, byte[]) Raw(byte type, params byte[] data) => (type, data);
}
