using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Exhunt.Readers.Evtx;

/// <summary>
/// Parses binary XML tokens (MS-EVEN6) from a chunk buffer into <see cref="BxNode"/>s. Every read is bounds-checked
/// against the current extent; nesting is capped at <see cref="MaxDepth"/>; templates are parsed once per chunk.
/// </summary>
internal struct BinXmlParser
{
    public const int MaxDepth = 64;

    private readonly EvtxChunk _chunk;
    private readonly byte[] _buf;
    private int _pos;
    private readonly int _end;
    /// <summary>Element start tags inside a Binary XML (0x21) substitution value carry no dependency identifier.</summary>
    private readonly bool _noDependencyId;

    private BinXmlParser(EvtxChunk chunk, int start, int end, bool noDependencyId)
    {
        _chunk = chunk;
        _buf = chunk.Buffer;
        _pos = start;
        _end = end;
        _noDependencyId = noDependencyId;
    }

    /// <summary>The event of a record: binary XML in [start, end) of the chunk.</summary>
    public static BxNode[] ParseDocument(EvtxChunk chunk, int start, int end) =>
        new BinXmlParser(chunk, start, end, noDependencyId: false).Document(0);

    /// <summary>A Binary XML substitution value (fragment, template instance or bare element).</summary>
    public static BxNode[] ParseValue(EvtxChunk chunk, int start, int end, int depth) =>
        new BinXmlParser(chunk, start, end, noDependencyId: true).Document(depth);

    private static EvtxFormatException Bad(string message) => new(message);

    private void Need(int n)
    {
        if (n < 0 || _pos + n > _end)
            throw Bad($"binary XML at 0x{_pos:x} needs {n} bytes but its extent ends at 0x{_end:x}");
    }

    private byte U8() { Need(1); return _buf[_pos++]; }
    private ushort U16() { Need(2); var v = BinaryPrimitives.ReadUInt16LittleEndian(_buf.AsSpan(_pos)); _pos += 2; return v; }
    private uint U32() { Need(4); var v = BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan(_pos)); _pos += 4; return v; }
    private byte Peek() { Need(1); return _buf[_pos]; }

    private string Utf16(int chars)
    {
        Need(chars * 2);
        var s = chars == 0 ? "" : new string(MemoryMarshal.Cast<byte, char>(_buf.AsSpan(_pos, chars * 2)));
        _pos += chars * 2;
        return s;
    }

    private BxNode[] Document(int depth)
    {
        if (depth > MaxDepth) throw Bad($"binary XML nested deeper than {MaxDepth} levels");
        var nodes = new List<BxNode>(1);
        while (_pos < _end)
        {
            var token = Peek();
            switch (token)
            {
                case 0x00:
                    _pos++;
                    return nodes.ToArray();
                case 0x0F:
                    Need(4);
                    _pos += 4; // token, major, minor, flags
                    break;
                case 0x0C:
                    nodes.Add(TemplateInstance(depth));
                    break;
                case 0x01 or 0x41:
                    nodes.Add(Element(depth + 1));
                    break;
                case 0x0A:
                    nodes.Add(ProcessingInstruction());
                    break;
                default:
                    throw Bad($"unexpected binary XML token 0x{token:x2} at 0x{_pos:x}");
            }
        }
        return nodes.ToArray();
    }

    private string Name()
    {
        var offset = (int)U32();
        if (offset == _pos)
        {
            // Defined inline, right here: read it and step over it.
            Need(8);
            var size = _chunk.NameSize(offset);
            Need(size);
            var name = _chunk.Name(offset);
            if (name.Length == 0) throw Bad($"empty name at 0x{offset:x}");
            _pos += size;
            return name;
        }
        // A name is defined where first used; a reference can only point back to it.
        if (offset > _pos) throw Bad($"name offset 0x{offset:x} points forward of its use at 0x{_pos:x}");
        var known = _chunk.Name(offset);
        if (known.Length == 0) throw Bad($"empty name at 0x{offset:x}");
        return known;
    }

    private BxElement Element(int depth)
    {
        if (depth > MaxDepth) throw Bad($"binary XML elements nested deeper than {MaxDepth} levels");
        var token = U8();
        if (HasDependencyId()) U16();
        var dataSize = U32();
        if (dataSize > _end - _pos) throw Bad($"element at 0x{_pos:x} declares {dataSize} bytes, past its extent");
        var name = Name();

        var attributes = Array.Empty<BxAttribute>();
        if ((token & 0x40) != 0)
        {
            var listSize = U32();
            if (listSize > _end - _pos) throw Bad($"attribute list at 0x{_pos:x} declares {listSize} bytes, past its extent");
            var list = new List<BxAttribute>(4);
            while (true)
            {
                var t = Peek();
                if ((t & 0x1F) != 0x06) break;
                _pos++;
                var attrName = Name();
                list.Add(new BxAttribute(attrName, ValueParts()));
                if ((t & 0x40) == 0) break;
            }
            attributes = list.ToArray();
        }

        var close = U8();
        if (close == 0x03) return new BxElement(name, attributes, []);
        if (close != 0x02) throw Bad($"element '{name}': expected close-start token, got 0x{close:x2} at 0x{_pos - 1:x}");

        var children = new List<BxNode>(2);
        while (true)
        {
            var t = Peek();
            switch (t)
            {
                case 0x04:
                    _pos++;
                    return new BxElement(name, attributes, children.ToArray());
                case 0x01 or 0x41:
                    children.Add(Element(depth + 1));
                    break;
                case 0x05 or 0x45 or 0x0D or 0x0E or 0x08 or 0x48 or 0x09 or 0x49:
                    children.Add(ValuePart());
                    break;
                case 0x07 or 0x47:
                    _pos++;
                    children.Add(new BxCData(Utf16(U16())));
                    break;
                case 0x0A:
                    children.Add(ProcessingInstruction());
                    break;
                case 0x0C:
                    children.Add(TemplateInstance(depth));
                    break;
                default:
                    throw Bad($"element '{name}': unexpected token 0x{t:x2} at 0x{_pos:x}");
            }
        }
    }

    /// <summary>
    /// Whether this element start carries the 2-byte dependency identifier. It is absent inside Binary XML
    /// substitution values, and also in some files' template-less records; so both layouts are tried and the one
    /// whose data size and name offset fit is taken (the expected one when both or neither fit).
    /// </summary>
    private bool HasDependencyId()
    {
        var expected = !_noDependencyId;
        if (Fits(_pos + 2) == Fits(_pos)) return expected;
        return Fits(_pos + 2);
    }

    /// <summary>Whether an element-start tail (data size, name offset) read at <paramref name="at"/> is consistent.</summary>
    private bool Fits(int at)
    {
        if (at + 8 > _end) return false;
        var size = BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan(at));
        var name = BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan(at + 4));
        return size <= (uint)(_end - at - 4) && name >= EvtxChunk.HeaderSize && name <= (uint)(at + 8);
    }

    private BxNode[] ValueParts()
    {
        var first = ValuePart();
        if (!IsValuePart(Peek())) return [first];
        var parts = new List<BxNode>(3) { first };
        while (IsValuePart(Peek())) parts.Add(ValuePart());
        return parts.ToArray();
    }

    private static bool IsValuePart(byte t) => t is 0x05 or 0x45 or 0x0D or 0x0E or 0x08 or 0x48 or 0x09 or 0x49;

    private BxNode ValuePart()
    {
        var t = U8();
        switch (t)
        {
            case 0x05 or 0x45:
                var type = U8();
                if (type != 0x01) throw Bad($"value text of type 0x{type:x2} (only UTF-16 strings are defined) at 0x{_pos:x}");
                return new BxText(Utf16(U16()));
            case 0x0D or 0x0E:
                var index = U16();
                var declared = U8();
                return new BxSubstitution(index, declared, t == 0x0E);
            case 0x08 or 0x48:
                return new BxCharRef(U16());
            case 0x09 or 0x49:
                return new BxEntityRef(Name());
            default:
                throw Bad($"expected a value, got token 0x{t:x2} at 0x{_pos - 1:x}");
        }
    }

    private BxProcessingInstruction ProcessingInstruction()
    {
        _pos++; // 0x0A
        var target = Name();
        var data = "";
        if (_pos < _end && Peek() == 0x0B)
        {
            _pos++;
            data = Utf16(U16());
        }
        return new BxProcessingInstruction(target, data);
    }

    private BxTemplateInstance TemplateInstance(int depth)
    {
        _pos++; // 0x0C
        U8();   // unknown
        U32();  // template identifier
        var defOffset = (int)U32();
        BxTemplate template;
        if (defOffset == _pos)
        {
            Need(24);
            var dataSize = BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan(_pos + 20));
            if (dataSize > _end - _pos - 24) throw Bad($"template definition at 0x{defOffset:x} declares {dataSize} bytes, past its extent");
            template = Template(defOffset, depth);
            _pos += 24 + (int)dataSize;
        }
        else
        {
            template = Template(defOffset, depth);
        }

        var count = U32();
        if (count > (uint)(_end - _pos) / 4) throw Bad($"template instance declares {count} values, more than its extent holds");
        var values = count == 0 ? [] : new BxValue[count];
        var descriptors = _pos;
        _pos += (int)count * 4;
        for (var i = 0; i < values.Length; i++)
        {
            int size = BinaryPrimitives.ReadUInt16LittleEndian(_buf.AsSpan(descriptors + i * 4));
            var type = _buf[descriptors + i * 4 + 2];
            Need(size);
            values[i] = new BxValue(type, _pos, size);
            _pos += size;
        }
        return new BxTemplateInstance(template, values);
    }

    private BxTemplate Template(int offset, int depth)
    {
        if (_chunk.TryGetTemplate(offset, out var cached))
            return cached ?? throw Bad($"template at 0x{offset:x} refers to itself");
        if (offset < EvtxChunk.HeaderSize || offset > EvtxChunk.Size - 24)
            throw Bad($"template offset 0x{offset:x} is outside the chunk");
        var buf = _chunk.Buffer;
        var guid = new Guid(buf.AsSpan(offset + 4, 16));
        var dataSize = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(offset + 20));
        if (dataSize > EvtxChunk.Size - offset - 24)
            throw Bad($"template at 0x{offset:x} declares {dataSize} bytes, past the chunk end");
        _chunk.SetTemplate(offset, null);
        try
        {
            var body = new BinXmlParser(_chunk, offset + 24, offset + 24 + (int)dataSize, noDependencyId: false).Document(depth + 1);
            var template = new BxTemplate(offset, guid, body);
            _chunk.SetTemplate(offset, template);
            return template;
        }
        catch
        {
            _chunk.ForgetTemplate(offset);
            throw;
        }
    }
}
