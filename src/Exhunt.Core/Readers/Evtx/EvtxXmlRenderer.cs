using System.Text;
using System.Xml;

namespace Exhunt.Readers.Evtx;

/// <summary>Renders a record's event as XML text (only when asked: detection reads fields, not XML).</summary>
/// <remarks>
/// The output is well-formed XML 1.0 for any input, so strict parsers accept every record:
/// <list type="bullet">
/// <item>Entity and character references are written where they occur, inside attribute values too
/// (<c>eTag="&amp;quot;ea9e…&amp;quot;"</c>), never closing the start tag early.</item>
/// <item>Characters XML 1.0 forbids even as references (C0 controls other than tab, CR, LF; U+FFFE, U+FFFF; unpaired
/// surrogates) are written as the visible escape <c>\uXXXX</c> (four lowercase hex digits, as in JSON): U+0003 becomes
/// <c>\u0003</c>. The event's field values (<see cref="WinEvent"/>) keep the character itself; only XML text is escaped.
/// A literal backslash-u in a value is not escaped, so <c>\u0003</c> in XML text is ambiguous only where the
/// original value held those six characters.</item>
/// <item>An entity reference other than the five XML predefines is written as text (<c>&amp;amp;name;</c>): a strict
/// parser has no definition for it.</item>
/// <item>Names that are not valid XML names without a prefix are encoded with <see cref="XmlConvert.EncodeLocalName"/>
/// (<c>_xHHHH_</c>), except namespace declarations (<c>xmlns:prefix</c>); a prefix would need a declaration.</item>
/// <item>CDATA holding <c>]]&gt;</c> is split; a processing instruction's data holding <c>?&gt;</c> has it broken up,
/// and a target that is not a name, or is "xml", is prefixed with '_' and encoded.</item>
/// </list>
/// </remarks>
internal sealed class EvtxXmlRenderer : IBxVisitor
{
    private readonly StringBuilder _sb;
    private readonly StringBuilder _value = new();
    private bool _inAttribute;
    private bool _startOpen;
    private string[] _stack = new string[16];
    private int _depth;
    private HashSet<string>? _attributeNames;

    public EvtxXmlRenderer(StringBuilder sb) => _sb = sb;

    /// <summary>Top-level elements written (a document needs exactly one).</summary>
    public int RootElements { get; private set; }

    public void StartElement(string name)
    {
        CloseStart();
        if (_depth == 0) RootElements++;
        name = XmlName(name);
        _sb.Append('<').Append(name);
        _startOpen = true;
        _attributeNames?.Clear();
        if (_depth == _stack.Length) Array.Resize(ref _stack, _stack.Length * 2);
        _stack[_depth++] = name;
    }

    public void StartAttribute(string name)
    {
        name = IsNamespaceDeclaration(name) ? name : XmlName(name);
        // A repeated attribute name is not well-formed: later duplicates get a numbered name.
        _attributeNames ??= new HashSet<string>(StringComparer.Ordinal);
        var unique = name;
        for (var n = 2; !_attributeNames.Add(unique); n++) unique = name + "_" + n;
        _sb.Append(' ').Append(unique).Append("=\"");
        _inAttribute = true;
    }

    public void EndAttribute()
    {
        _sb.Append('"');
        _inAttribute = false;
    }

    public void CloseStart()
    {
        if (!_startOpen) return;
        _sb.Append('>');
        _startOpen = false;
    }

    // Elements are rendered <a></a> (never <a/>) so a stream of visitor calls needs no look-ahead.
    public void EndElement()
    {
        CloseStart();
        _sb.Append("</").Append(_stack[--_depth]).Append('>');
    }

    public void Text(string text) => Escaped(text);

    public void CData(string text)
    {
        if (_inAttribute) { Escaped(text); return; }
        CloseStart();
        _sb.Append("<![CDATA[");
        var from = _sb.Length;
        Raw(text);
        // "]]>" inside CDATA would end it: close and reopen between "]]" and ">".
        if (text.Contains("]]>", StringComparison.Ordinal)) _sb.Replace("]]>", "]]]]><![CDATA[>", from, _sb.Length - from);
        _sb.Append("]]>");
    }

    public void CharRef(ushort code)
    {
        if (!_inAttribute) CloseStart();
        if (code is 0x9 or 0xA or 0xD or (>= 0x20 and < 0xD800) or (>= 0xE000 and <= 0xFFFD)) _sb.Append("&#").Append(code).Append(';');
        else Visible((char)code);
    }

    public void EntityRef(string name)
    {
        if (!_inAttribute) CloseStart();
        if (name is "lt" or "gt" or "amp" or "quot" or "apos") _sb.Append('&').Append(name).Append(';');
        else Escaped("&" + name + ";");
    }

    public void ProcessingInstruction(string target, string data)
    {
        if (_inAttribute) return; // not expressible inside an attribute value
        CloseStart();
        // "xml" is reserved and a target must be a name: such a target is prefixed with '_' and encoded.
        if (target.StartsWith("xml", StringComparison.OrdinalIgnoreCase) && target.Length == 3 || !IsName(target))
            target = "_" + XmlConvert.EncodeLocalName(target);
        _sb.Append("<?").Append(target).Append(' ');
        var from = _sb.Length;
        Raw(data);
        if (data.Contains("?>", StringComparison.Ordinal)) _sb.Replace("?>", "? >", from, _sb.Length - from);
        _sb.Append("?>");
    }

    public void Value(byte[] buffer, BxValue value)
    {
        _value.Clear();
        EvtxValues.Append(_value, buffer, value);
        foreach (var chunk in _value.GetChunks()) Escaped(chunk.Span);
    }

    private void Escaped(ReadOnlySpan<char> text)
    {
        if (!_inAttribute) CloseStart();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': _sb.Append("&amp;"); break;
                case '<': _sb.Append("&lt;"); break;
                case '>': _sb.Append("&gt;"); break;
                case '"' when _inAttribute: _sb.Append("&quot;"); break;
                case < ' ' when c != '\t' && c != '\n' && c != '\r': Visible(c); break;
                case >= '\uD800' and <= '\uDBFF' when i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]):
                    _sb.Append(c).Append(text[++i]); break;
                case >= '\uD800' and <= '\uDFFF' or '\uFFFE' or '\uFFFF': Visible(c); break;
                default: _sb.Append(c); break;
            }
        }
    }

    /// <summary>Text without markup escaping (CDATA, PI data): only characters XML cannot hold are made visible.</summary>
    private void Raw(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) _sb.Append(c).Append(text[++i]);
            else if (c is '\t' or '\n' or '\r' || (c >= ' ' && c < '\uD800') || (c >= '\uE000' && c <= '\uFFFD')) _sb.Append(c);
            else Visible(c);
        }
    }

    private void Visible(char c) => _sb.Append("\\u").Append(((int)c).ToString("x4"));

    /// <summary>An XML name without a namespace prefix (a prefix would need a declaration strict parsers check).</summary>
    private static bool IsName(string name)
    {
        if (name.Length == 0 || !XmlConvert.IsStartNCNameChar(name[0])) return false;
        foreach (var c in name)
            if (!XmlConvert.IsNCNameChar(c)) return false;
        return true;
    }

    /// <summary>xmlns:prefix="…" (as in UserData's xmlns:auto-ns3): a declaration, valid as written.</summary>
    private static bool IsNamespaceDeclaration(string name) =>
        name.StartsWith("xmlns:", StringComparison.Ordinal) && IsName(name[6..]) && !name[6..].StartsWith("xml", StringComparison.OrdinalIgnoreCase);

    private static string XmlName(string name) => IsName(name) ? name : XmlConvert.EncodeLocalName(name.Length == 0 ? "_" : name);
}
