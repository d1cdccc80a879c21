using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Exhunt.Tests.Evtx;

/// <summary>
/// The canonical comparison of event XML defined by the oracle's compare.py, in C#: namespaces dropped, attributes
/// sorted, values trimmed, timestamps/0x-hex/GUIDs normalised, entity escaping normalised by parsing. Five
/// spellings python-evtx differs in are normalised on top (each pinned by a named test in EvtxOracleDisagreementTests):
/// NULL optional attributes (python-evtx: Qualifiers=""; Windows and evtxexport: absent), booleans ("False" vs "false"), binary (base64 vs hex), string arrays (python-evtx's "&lt;string&gt;" items
/// inside one element vs one element per item), and timestamps compare within 3 µs (python-evtx converts
/// FILETIME through a float).
/// </summary>
public static partial class CanonicalXml
{
    public sealed record Node(string Name, (string Key, string Value)[] Attributes, string Text, Node[] Children);

    private static readonly XmlReaderSettings Settings = new() { CheckCharacters = false, DtdProcessing = DtdProcessing.Prohibit };

    public static Node? Parse(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings);
            return Canon(XElement.Load(reader)).Single();
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static IEnumerable<Node> Canon(XElement e)
    {
        // An empty attribute counts as absent: python-evtx writes Qualifiers="" where Windows omits a NULL optional value.
        var attrs = e.Attributes().Where(a => !a.IsNamespaceDeclaration && a.Value.Length > 0)
            .Select(a => (a.Name.LocalName, Norm(a.Value))).OrderBy(a => a.LocalName, StringComparer.Ordinal).ToArray();
        var text = e.Nodes().TakeWhile(n => n is not XElement).OfType<XText>().Aggregate("", (s, t) => s + t.Value);
        if (!e.HasElements && text.StartsWith("<string>", StringComparison.Ordinal))
        {
            foreach (Match m in StringItem().Matches(text))
                yield return new Node(e.Name.LocalName, attrs, Norm(m.Groups[1].Value), []);
            yield break;
        }
        yield return new Node(e.Name.LocalName, attrs, Norm(text), e.Elements().SelectMany(Canon).ToArray());
    }

    [GeneratedRegex("<string>(.*?)</string>", RegexOptions.Singleline)]
    private static partial Regex StringItem();
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z|\+00:00)?$")]
    private static partial Regex Time();
    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex Hex();
    [GeneratedRegex(@"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")]
    private static partial Regex Guid();
    [GeneratedRegex("^(?:[0-9A-F]{2})+$")]
    private static partial Regex UpperHexBytes();

    public static string Norm(string? v)
    {
        if (v is null) return "";
        v = v.Trim();
        var m = Time().Match(v);
        if (m.Success)
        {
            var frac = (m.Groups[3].Value + "0000000")[..7];
            return $"{m.Groups[1].Value}T{m.Groups[2].Value}.{frac}Z";
        }
        if (Hex().IsMatch(v) && v.Length <= 34)
            return UInt128.Parse(v.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        m = Guid().Match(v);
        if (m.Success) return m.Groups[1].Value.ToUpperInvariant();
        if (v is "True" or "False") return v.ToLowerInvariant();
        if (UpperHexBytes().IsMatch(v)) return Convert.ToBase64String(Convert.FromHexString(v));
        return v;
    }

    /// <summary>Equal, with timestamps allowed to differ by 3 µs.</summary>
    public static bool Same(Node a, Node b)
    {
        if (a.Name != b.Name || !SameValue(a.Text, b.Text) || a.Attributes.Length != b.Attributes.Length || a.Children.Length != b.Children.Length)
            return false;
        for (var i = 0; i < a.Attributes.Length; i++)
            if (a.Attributes[i].Key != b.Attributes[i].Key || !SameValue(a.Attributes[i].Value, b.Attributes[i].Value)) return false;
        for (var i = 0; i < a.Children.Length; i++)
            if (!Same(a.Children[i], b.Children[i])) return false;
        return true;
    }

    private static bool SameValue(string a, string b)
    {
        if (a == b) return true;
        if (a.Length == 28 && b.Length == 28 && a[^1] == 'Z' && b[^1] == 'Z'
            && DateTime.TryParseExact(a, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var ta)
            && DateTime.TryParseExact(b, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var tb))
            return Math.Abs((ta - tb).Ticks) <= 30;
        return false;
    }

    /// <summary>
    /// Equal once python-evtx's known defects are undone on both sides: it drops C0 control characters from values
    /// (removed on both sides: raw, or as our \uXXXX escape, since XML 1.0 cannot hold them even as references),
    /// and it splits string arrays at the wrong places (a leading empty item moves; a character whose UTF-16 low
    /// byte is 0, such as U+2500, is lost at a split). So control characters are removed, and runs of same-named
    /// leaf siblings (array items) are compared by their concatenated text without such characters.
    /// </summary>
    public static bool SameIgnoringPythonEvtxDefects(Node a, Node b) => Same(Lenient(a), Lenient(b));

    private static Node Lenient(Node n)
    {
        var children = new List<Node>();
        for (var i = 0; i < n.Children.Length;)
        {
            var j = i;
            while (j < n.Children.Length && n.Children[j].Children.Length == 0 && n.Children[j].Name == n.Children[i].Name
                   && n.Children[j].Attributes.SequenceEqual(n.Children[i].Attributes)) j++;
            if (j - i >= 2)
            {
                var text = string.Concat(n.Children[i..j].Select(c => c.Text)).Where(c => c < 0x100 || (c & 0xFF) != 0);
                children.Add(new Node(n.Children[i].Name, n.Children[i].Attributes, "[run] " + NoControls(string.Concat(text)), []));
                i = j;
            }
            else children.Add(Lenient(n.Children[i++]));
        }
        return new Node(n.Name, n.Attributes.Select(a => (a.Key, NoControls(a.Value))).ToArray(), NoControls(n.Text), children.ToArray());
    }

    private static string NoControls(string s)
    {
        // Our XML writes characters XML 1.0 forbids as the visible escape \uXXXX (see EvtxXmlRenderer); python-evtx drops them.
        if (s.Contains("\\u", StringComparison.Ordinal)) s = ForbiddenEscape().Replace(s, "").Trim();
        return s.Any(c => c < ' ' && c is not '\t' and not '\n' and not '\r') ? new string(s.Where(c => c >= ' ' || c is '\t' or '\n' or '\r').ToArray()).Trim() : s;
    }

    [GeneratedRegex(@"\\u(?:000[0-8bcef]|001[0-9a-f]|d[89a-f][0-9a-f]{2}|fff[ef])")]
    private static partial Regex ForbiddenEscape();

    /// <summary>The first difference, for messages.</summary>
    public static string Diff(Node a, Node b, string path = "")
    {
        path += "/" + a.Name;
        if (a.Name != b.Name) return $"{path}: element {a.Name} vs {b.Name}";
        if (!SameValue(a.Text, b.Text)) return $"{path}: text '{Clip(a.Text)}' vs '{Clip(b.Text)}'";
        var aa = string.Join(" ", a.Attributes.Select(x => $"{x.Key}={x.Value}"));
        var ba = string.Join(" ", b.Attributes.Select(x => $"{x.Key}={x.Value}"));
        if (a.Attributes.Length != b.Attributes.Length || !a.Attributes.Zip(b.Attributes).All(p => p.First.Key == p.Second.Key && SameValue(p.First.Value, p.Second.Value)))
            return $"{path}: attributes [{aa}] vs [{ba}]";
        for (var i = 0; i < Math.Min(a.Children.Length, b.Children.Length); i++)
            if (!Same(a.Children[i], b.Children[i])) return Diff(a.Children[i], b.Children[i], path);
        return $"{path}: {a.Children.Length} vs {b.Children.Length} children";
    }

    private static string Clip(string s) => s.Length > 120 ? s[..120] + "..." : s;
}
