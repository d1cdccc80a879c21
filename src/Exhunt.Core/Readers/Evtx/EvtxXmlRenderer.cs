using System.Text;

namespace Exhunt.Readers.Evtx;

/// <summary>Renders a record's event as XML text (only when asked: detection reads fields, not XML).</summary>
internal sealed class EvtxXmlRenderer : IBxVisitor
{
    private readonly StringBuilder _sb;
    private readonly StringBuilder _value = new();
    private bool _inAttribute;
    private bool _startOpen;
    private string[] _stack = new string[16];
    private int _depth;

    public EvtxXmlRenderer(StringBuilder sb) => _sb = sb;

    public void StartElement(string name)
    {
        CloseStart();
        _sb.Append('<').Append(name);
        _startOpen = true;
        if (_depth == _stack.Length) Array.Resize(ref _stack, _stack.Length * 2);
        _stack[_depth++] = name;
    }

    public void StartAttribute(string name)
    {
        _sb.Append(' ').Append(name).Append("=\"");
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
    public void CData(string text) { CloseStart(); _sb.Append("<![CDATA[").Append(text).Append("]]>"); }
    public void CharRef(ushort code) { CloseStart(); _sb.Append("&#").Append(code).Append(';'); }
    public void EntityRef(string name) { CloseStart(); _sb.Append('&').Append(name).Append(';'); }
    public void ProcessingInstruction(string target, string data) { CloseStart(); _sb.Append("<?").Append(target).Append(' ').Append(data).Append("?>"); }

    public void Value(byte[] buffer, BxValue value)
    {
        _value.Clear();
        EvtxValues.Append(_value, buffer, value);
        foreach (var chunk in _value.GetChunks()) Escaped(chunk.Span);
    }

    private void Escaped(ReadOnlySpan<char> text)
    {
        if (!_inAttribute) CloseStart();
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': _sb.Append("&amp;"); break;
                case '<': _sb.Append("&lt;"); break;
                case '>': _sb.Append("&gt;"); break;
                case '"' when _inAttribute: _sb.Append("&quot;"); break;
                case < ' ' when c != '\t' && c != '\n' && c != '\r':
                    _sb.Append("&#x").Append(((int)c).ToString("x")).Append(';'); break;
                default: _sb.Append(c); break;
            }
        }
    }
}
