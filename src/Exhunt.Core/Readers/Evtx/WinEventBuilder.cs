using System.Globalization;
using System.Text;

namespace Exhunt.Readers.Evtx;

/// <summary>
/// Fills a <see cref="WinEvent"/> from a walk over a record: System fields (integers straight from the
/// substitution bytes, no text round trip), EventData values by Data Name ("Data1", "Data2"... for unnamed ones)
/// and, for UserData and other sections, the leaf elements by name.
/// </summary>
internal sealed class WinEventBuilder : IBxVisitor
{
    /// <summary>
    /// Collected text of an element or attribute. A lone substitution value is kept as bytes and only turned into
    /// text if text is asked for: EventID, Keywords, TimeCreated and the like are read straight from the bytes.
    /// </summary>
    private sealed class Capture
    {
        public readonly StringBuilder Text = new();
        public int Parts;
        public byte[]? Buffer;   // set while the only part is a pending (not yet formatted) value
        public BxValue Single;

        public void Clear() { Text.Clear(); Parts = 0; Buffer = null; }

        public void AddValue(byte[] buffer, BxValue value)
        {
            if (Parts == 0) { Buffer = buffer; Single = value; Parts = 1; return; }
            Materialize();
            EvtxValues.Append(Text, buffer, value);
            Parts++;
        }

        public void AddText(string text)
        {
            Materialize();
            Text.Append(text);
            Parts++;
        }

        private void Materialize()
        {
            if (Buffer is null) return;
            EvtxValues.Append(Text, Buffer, Single);
            Buffer = null;
        }

        public string String() => Buffer is not null ? EvtxValues.ToText(Buffer, Single) : Parts == 0 ? "" : Text.ToString();

        public ulong? Integer()
        {
            if (Buffer is not null && EvtxValues.TryGetInteger(Buffer, Single, out var v)) return v;
            Materialize();
            return ParseInteger(Text);
        }

        public DateTime? Time()
        {
            if (Buffer is not null && EvtxValues.TryGetFileTime(Buffer, Single, out var t)) return t;
            Materialize();
            var s = Text.ToString();
            return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var p) ? p : null;
        }
    }

    private enum Section { None, System, EventData, Other }

    private WinEvent _e = new();
    private readonly string[] _names = new string[BinXmlParser.MaxDepth * 2 + 8];
    private readonly bool[] _hasChild = new bool[BinXmlParser.MaxDepth * 2 + 8];
    private int _depth;
    private Section _section;
    private readonly Capture _element = new();
    private readonly Capture _attribute = new();
    private Capture? _current;
    private string? _attributeName;
    private string? _dataName;
    private int _unnamed;

    public WinEvent Start()
    {
        _e = new WinEvent();
        _depth = 0;
        _section = Section.None;
        _unnamed = 0;
        _current = null;
        return _e;
    }

    public void StartElement(string name)
    {
        if (_depth > 0) _hasChild[_depth - 1] = true;
        if (_depth >= _names.Length) throw new EvtxFormatException("elements nested too deep");
        _names[_depth] = name;
        _hasChild[_depth] = false;
        _depth++;
        if (_depth == 2)
            _section = name switch { "System" => Section.System, "EventData" => Section.EventData, _ => Section.Other };
        _dataName = null;
        _element.Clear();
        _current = _element;
    }

    public void StartAttribute(string name)
    {
        _attributeName = name;
        _attribute.Clear();
        _current = _attribute;
    }

    public void EndAttribute()
    {
        _current = _element;
        var element = _names[_depth - 1];
        if (_section == Section.System && _depth == 3)
        {
            switch (element, _attributeName)
            {
                case ("Provider", "Name"): _e.Provider = _attribute.String(); break;
                case ("Provider", "Guid"): _e.ProviderGuid = NullIfEmpty(_attribute.String()); break;
                case ("Provider", "EventSourceName"): _e.EventSourceName = NullIfEmpty(_attribute.String()); break;
                case ("EventID", "Qualifiers"): _e.Qualifiers = (int?)_attribute.Integer(); break;
                case ("TimeCreated", "SystemTime"): _e.TimeCreated = _attribute.Time(); break;
                case ("Correlation", "ActivityID"): _e.ActivityId = NullIfEmpty(_attribute.String()); break;
                case ("Correlation", "RelatedActivityID"): _e.RelatedActivityId = NullIfEmpty(_attribute.String()); break;
                case ("Execution", "ProcessID"): _e.ProcessId = (uint?)_attribute.Integer(); break;
                case ("Execution", "ThreadID"): _e.ThreadId = (uint?)_attribute.Integer(); break;
                case ("Security", "UserID"): _e.UserId = NullIfEmpty(_attribute.String()); break;
            }
        }
        else if (_section == Section.EventData && _depth == 3 && _attributeName == "Name")
            _dataName = _attribute.String();
    }

    public void CloseStart() => _current = _element;

    public void EndElement()
    {
        var depth = _depth;
        var name = _names[depth - 1];
        var leaf = !_hasChild[depth - 1];
        if (_section == Section.System && depth == 3)
        {
            switch (name)
            {
                case "EventID": _e.EventId = (int)(_element.Integer() ?? 0); break;
                case "Version": _e.Version = (int?)_element.Integer(); break;
                case "Level": _e.Level = (int?)_element.Integer(); break;
                case "Task": _e.Task = (int?)_element.Integer(); break;
                case "Opcode": _e.Opcode = (int?)_element.Integer(); break;
                case "Keywords": _e.Keywords = _element.Integer(); break;
                case "EventRecordID": _e.RecordId = _element.Integer(); break;
                case "Channel": _e.Channel = _element.String(); break;
                case "Computer": _e.Computer = _element.String(); break;
            }
        }
        else if (_section == Section.EventData && depth >= 3 && leaf)
        {
            var key = depth == 3 && name == "Data" ? _dataName ?? "Data" + (++_unnamed).ToString(CultureInfo.InvariantCulture) : name;
            _e.Data.Add(new(key, _element.String()));
        }
        else if (_section == Section.Other && depth >= 4 && leaf)
        {
            _e.Data.Add(new(name, _element.String()));
        }
        _depth--;
        _element.Clear();
        _current = _element;
    }

    public void Text(string text) => Add(text);
    public void CData(string text) => Add(text);
    public void CharRef(ushort code) => Add(((char)code).ToString());
    public void EntityRef(string name) => Add(name switch { "lt" => "<", "gt" => ">", "amp" => "&", "quot" => "\"", "apos" => "'", _ => "&" + name + ";" });
    public void ProcessingInstruction(string target, string data) { }

    public void Value(byte[] buffer, BxValue value) => (_current ?? _element).AddValue(buffer, value);

    private void Add(string text) => (_current ?? _element).AddText(text);

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static ulong? ParseInteger(StringBuilder sb)
    {
        if (sb.Length == 0 || sb.Length > 40) return null;
        Span<char> buf = stackalloc char[sb.Length];
        sb.CopyTo(0, buf, sb.Length);
        ReadOnlySpan<char> s = buf.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var u)) return u;
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? (ulong)l : null;
    }
}
