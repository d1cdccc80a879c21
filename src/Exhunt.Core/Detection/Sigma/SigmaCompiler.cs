using System.Globalization;
using System.Net;
using System.Text;
using Exhunt.Readers;
using YamlDotNet.RepresentationModel;

namespace Exhunt.Detection.Sigma;

/// <summary>A rule Sigma cannot run, with the reason (the lint and the scan report list it).</summary>
public sealed class SigmaRuleException(string reason) : Exception(reason);

/// <summary>Compiles a rule's <c>detection</c> section into one <see cref="SigmaNode"/> for one record shape.</summary>
internal sealed class SigmaCompiler(Func<string, FieldKey> resolve, SigmaOptions options)
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "contains", "startswith", "endswith", "all", "re", "i", "m", "s", "base64", "base64offset", "utf16le", "utf16be",
        "utf16", "wide", "windash", "cidr", "lt", "lte", "gt", "gte", "exists", "cased", "neq", "fieldref", "expand",
    };

    public HashSet<FieldKey> FieldsUsed { get; } = new();

    /// <summary>The value tests of a field item, per YAML value node and key: a rule compiled for several places
    /// (process_creation: Sysmon 1 and Security 4688) shares them instead of holding a copy per place. The table
    /// forgets a node once its rule's YAML tree is dropped. (Not for fieldref, whose test holds a resolved key.)</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<YamlNode, System.Collections.Concurrent.ConcurrentDictionary<string, ValueMatcher[]>> SharedValues = new();

    /// <summary>The condition(s) over the search identifiers; a list of conditions is OR'ed.</summary>
    public SigmaNode Compile(YamlMappingNode detection, IReadOnlyList<string> conditions)
    {
        var searches = new Dictionary<string, SigmaNode>(StringComparer.Ordinal);
        foreach (var (k, v) in detection.Children)
        {
            var name = k.ToString();
            if (name is "condition" or "timeframe") continue;
            searches[name] = Search(v);
        }
        if (conditions.Count == 0) throw new SigmaRuleException("detection has no condition");
        var nodes = conditions.Select(c => new ConditionParser(c, searches).Parse()).ToArray();
        return nodes.Length == 1 ? nodes[0] : new OrNode(nodes);
    }

    /// <summary>A search identifier's value: map (AND of fields), list of maps (OR), list of plain values (keywords).</summary>
    public SigmaNode Search(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                return Map(map);
            case YamlSequenceNode seq:
                if (seq.Children.Count == 0) throw new SigmaRuleException("empty search list");
                if (seq.Children.All(c => c is YamlScalarNode))
                    return new KeywordNode(Values(seq.Children.Cast<YamlScalarNode>().Select(s => Scalar(s)).ToList(), [], keyword: true), all: false);
                return new OrNode(seq.Children.Select(c => c switch
                {
                    YamlMappingNode m => Map(m),
                    YamlScalarNode s => new KeywordNode(Values([Scalar(s)], [], keyword: true), all: false),
                    _ => throw new SigmaRuleException("nested lists in a search are not valid Sigma"),
                }).ToArray());
            case YamlScalarNode scalar:
                return new KeywordNode(Values([Scalar(scalar)], [], keyword: true), all: false);
            default:
                throw new SigmaRuleException("unreadable search");
        }
    }

    private SigmaNode Map(YamlMappingNode map)
    {
        if (map.Children.Count == 0) throw new SigmaRuleException("empty selection map");
        var fields = new List<SigmaNode>();
        foreach (var (k, v) in map.Children)
            fields.Add(FieldItem(k.ToString(), v));
        return fields.Count == 1 ? fields[0] : new AndNode(fields.ToArray());
    }

    private static string? Scalar(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "null" or "~" or "Null" or "NULL") ? null : s.Value ?? "";

    private SigmaNode FieldItem(string key, YamlNode value)
    {
        var parts = key.Split('|');
        var field = parts[0];
        var modifiers = parts.Skip(1).ToList();
        foreach (var m in modifiers)
            if (!Known.Contains(m)) throw new SigmaRuleException($"unsupported modifier '{m}'");
        List<string?> raw = value switch
        {
            YamlScalarNode s => [Scalar(s)],
            YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => seq.Children.Cast<YamlScalarNode>().Select(Scalar).ToList(),
            _ => throw new SigmaRuleException($"field '{field}': value must be a scalar or a list of scalars"),
        };
        if (raw.Count == 0) throw new SigmaRuleException($"field '{field}': empty value list");
        var all = modifiers.Contains("all");

        if (field.Length == 0)
            return new KeywordNode(Values(raw, modifiers, keyword: true), all);

        var fieldKey = resolve(field);
        FieldsUsed.Add(fieldKey);
        if (modifiers.Contains("exists"))
        {
            if (raw.Count != 1 || !bool.TryParse(raw[0], out var exists)) throw new SigmaRuleException($"field '{field}': exists needs true or false");
            return new FieldNode { Key = fieldKey, Exists = exists };
        }
        if (raw.Count == 1 && raw[0] is null && modifiers.Count == 0)
            return new FieldNode { Key = fieldKey, IsNull = true };
        if (raw.Any(r => r is null))
        {
            // A list mixing null and values: null means "absent or empty", OR'ed with the values.
            var rest = raw.Where(r => r is not null).ToList();
            var nullNode = new FieldNode { Key = fieldKey, IsNull = true };
            return rest.Count == 0 ? nullNode : new OrNode([nullNode, new FieldNode { Key = fieldKey, Values = Values(rest, modifiers, keyword: false), All = all }]);
        }
        var neq = modifiers.Contains("neq");
        var matchers = modifiers.Contains("fieldref")
            ? Values(raw, modifiers, keyword: false)
            : SharedValues.GetOrCreateValue(value).GetOrAdd(key, _ => Values(raw, modifiers, keyword: false));
        if (fieldKey.PlusIsSpace && !all && raw.Any(r => r!.Contains('+')))
            matchers = [.. matchers, .. Values(raw.Where(r => r!.Contains('+')).Select(r => (string?)r!.Replace('+', ' ')).ToList(), modifiers, keyword: false)];
        return new FieldNode { Key = fieldKey, Values = matchers, All = all, MatchWhenAbsent = neq && !all };
    }

    /// <summary>Applies the modifier chain (left to right) to the values and compiles each into a matcher.</summary>
    private ValueMatcher[] Values(List<string?> raw, List<string> modifiers, bool keyword)
    {
        var mode = keyword ? StringMode.Contains : StringMode.Equals;
        bool cased = false, isRegex = false, reI = false, reM = false, reS = false, cidr = false, fieldref = false, neq = false;
        string? numeric = null;
        Encoding? encoding = null;
        var bom = false;
        // Values as Sigma strings (escapes parsed), or literals once encoded.
        var values = raw.Select(r => r ?? throw new SigmaRuleException("null inside a value list with modifiers")).Select(v => (Text: v, Literal: false)).ToList();
        foreach (var m in modifiers)
        {
            switch (m)
            {
                case "contains": mode = StringMode.Contains; break;
                case "startswith": mode = StringMode.StartsWith; break;
                case "endswith": mode = StringMode.EndsWith; break;
                case "all": break;
                case "cased": cased = true; break;
                case "neq": neq = true; break;
                case "re": isRegex = true; break;
                case "i": reI = true; break;
                case "m": reM = true; break;
                case "s": reS = true; break;
                case "cidr": cidr = true; break;
                case "fieldref": fieldref = true; break;
                case "lt" or "lte" or "gt" or "gte": numeric = m; break;
                case "utf16le" or "wide": encoding = new UnicodeEncoding(false, false); break;
                case "utf16be": encoding = new UnicodeEncoding(true, false); break;
                case "utf16": encoding = new UnicodeEncoding(false, false); bom = true; break;
                case "windash":
                    values = values.SelectMany(v => Windash(v.Text).Select(t => (t, v.Literal))).ToList();
                    break;
                case "expand":
                    values = values.SelectMany(v => Expand(v.Text).Select(t => (t, v.Literal))).ToList();
                    break;
                case "base64":
                    values = values.Select(v => (Convert.ToBase64String(Bytes(v, encoding, bom)), true)).ToList();
                    encoding = null;
                    break;
                case "base64offset":
                    values = values.SelectMany(v => Base64Offsets(Bytes(v, encoding, bom)).Select(t => (t, true))).ToList();
                    encoding = null;
                    break;
            }
        }
        if ((reI || reM || reS) && !isRegex) throw new SigmaRuleException("regex flags i/m/s without re");
        if (encoding is not null) throw new SigmaRuleException("utf16 encoding modifier without base64/base64offset after it");

        var result = new List<ValueMatcher>(values.Count);
        foreach (var (text, literal) in values)
        {
            ValueMatcher matcher;
            if (isRegex) matcher = Regex(text, reI, reM, reS);
            else if (cidr) matcher = IPNetwork.TryParse(text.Trim(), out var net) ? new CidrMatcher(net) : throw new SigmaRuleException($"cidr: '{text}' is not a network");
            else if (numeric is not null) matcher = NumberMatcher.TryNumber(text, out var n) ? new NumberMatcher(numeric, n) : throw new SigmaRuleException($"{numeric}: '{text}' is not a number");
            else if (fieldref) { var k = resolve(text); FieldsUsed.Add(k); matcher = new FieldRefMatcher(k, mode, cased); }
            else
            {
                var s = literal ? SigmaString.Literal(text) : SigmaString.Parse(text);
                s = s.Wrap(mode is StringMode.Contains or StringMode.EndsWith, mode is StringMode.Contains or StringMode.StartsWith);
                matcher = new StringMatcher(s, cased);
            }
            result.Add(neq ? new NotMatcher(matcher) : matcher);
        }
        return modifiers.Contains("all") || neq ? result.ToArray() : Grouped(result, cased);
    }

    /// <summary>OR'ed literal tests of one kind merged: many contains into one multi-string search, many equals into
    /// one hash lookup (SigmaHQ lists run to hundreds of values).</summary>
    private static ValueMatcher[] Grouped(List<ValueMatcher> matchers, bool cased)
    {
        const int MinGroup = 4;
        var contains = matchers.OfType<StringMatcher>().Where(m => m.Mode == StringMode.Contains && m.Literal.Length > 0).ToList();
        var equals = matchers.OfType<StringMatcher>().Where(m => m.Mode == StringMode.Equals).ToList();
        var result = new List<ValueMatcher>(matchers);
        if (contains.Count >= MinGroup)
        {
            result.RemoveAll(m => contains.Contains(m));
            result.Add(new ContainsAnyMatcher(contains.Select(m => m.Literal).Distinct(cased ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase).ToList(), cased));
        }
        if (equals.Count >= MinGroup)
        {
            result.RemoveAll(m => equals.Contains(m));
            result.Add(new EqualsAnyMatcher(equals.Select(m => m.Literal), cased));
        }
        return result.ToArray();
    }

    private static RegexMatcher Regex(string pattern, bool i, bool m, bool s)
    {
        try { return new RegexMatcher(pattern, i, m, s); }
        catch (ArgumentException e) { throw new SigmaRuleException($"invalid regex '{pattern}': {e.Message}"); }
    }

    private static byte[] Bytes((string Text, bool Literal) v, Encoding? encoding, bool bom)
    {
        var text = v.Literal ? v.Text : SigmaString.Parse(v.Text) is var s && s.HasWildcards
            ? throw new SigmaRuleException("wildcards cannot be base64-encoded") : s.Text;
        var bytes = (encoding ?? Encoding.UTF8).GetBytes(text);
        return bom ? [0xFF, 0xFE, .. bytes] : bytes;
    }

    /// <summary>The three base64 forms of a value at byte offsets 0, 1, 2 inside a longer encoded string, without the
    /// leading and trailing characters that depend on the neighbouring bytes.</summary>
    internal static IEnumerable<string> Base64Offsets(byte[] value)
    {
        int[] start = [0, 2, 3];
        int[] endTrim = [0, 3, 2];
        for (var i = 0; i < 3; i++)
        {
            var padded = new byte[i + value.Length];
            value.CopyTo(padded, i);
            var encoded = Convert.ToBase64String(padded);
            var trim = endTrim[(value.Length + i) % 3];
            var end = encoded.Length - trim;
            if (end > start[i]) yield return encoded[start[i]..end];
        }
    }

    private static readonly char[] Dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];

    /// <summary>windash: every dash or slash that starts a word (a command-line flag) in each of its five forms.</summary>
    internal static IEnumerable<string> Windash(string value)
    {
        var positions = new List<int>();
        for (var i = 0; i < value.Length; i++)
            if (Array.IndexOf(Dashes, value[i]) >= 0 && (i == 0 || !char.IsLetterOrDigit(value[i - 1]) && value[i - 1] != '_')
                && i + 1 < value.Length && (char.IsLetterOrDigit(value[i + 1]) || value[i + 1] == '_'))
                positions.Add(i);
        if (positions.Count == 0) { yield return value; yield break; }
        if (positions.Count > 4) throw new SigmaRuleException("windash: more than 4 flags in one value");
        var total = (int)Math.Pow(Dashes.Length, positions.Count);
        var chars = value.ToCharArray();
        for (var n = 0; n < total; n++)
        {
            var x = n;
            foreach (var p in positions) { chars[p] = Dashes[x % Dashes.Length]; x /= Dashes.Length; }
            yield return new string(chars);
        }
    }

    private IEnumerable<string> Expand(string value)
    {
        var start = value.IndexOf('%');
        if (start < 0) return [value];
        var end = value.IndexOf('%', start + 1);
        if (end < 0) return [value];
        var name = value[(start + 1)..end];
        if (!options.Placeholders.TryGetValue(name, out var replacements) || replacements.Count == 0)
            throw new SigmaRuleException($"placeholder %{name}% has no configured values");
        return replacements.SelectMany(r => Expand(value[..start] + r + value[(end + 1)..]));
    }
}

/// <summary>Loader settings: placeholder values for <c>expand</c>.</summary>
public sealed class SigmaOptions
{
    /// <summary>Placeholder name (without %) → values. Placeholders without values reject the rule (with the reason).</summary>
    public Dictionary<string, IReadOnlyList<string>> Placeholders { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The condition grammar: <c>or</c> &lt; <c>and</c> &lt; <c>not</c> &lt; <c>x of</c> &lt; parentheses; <c>1 of</c>/<c>all of</c>
/// (or N of) a name, a pattern with '*', or <c>them</c> (which leaves out identifiers starting with '_').
/// </summary>
internal sealed class ConditionParser(string text, IReadOnlyDictionary<string, SigmaNode> searches)
{
    private readonly List<string> _tokens = Tokenize(text);
    private int _pos;

    public SigmaNode Parse()
    {
        if (text.Contains('|')) throw new SigmaRuleException("aggregation in condition ('| count() ...') is Sigma v1; use a correlation rule");
        var node = Or();
        if (_pos != _tokens.Count) throw new SigmaRuleException($"condition: unexpected '{_tokens[_pos]}'");
        return node;
    }

    private static List<string> Tokenize(string s)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i])) { i++; continue; }
            if (s[i] is '(' or ')') { tokens.Add(s[i].ToString()); i++; continue; }
            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not '(' and not ')') i++;
            tokens.Add(s[start..i]);
        }
        return tokens;
    }

    private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;

    private bool Accept(string keyword)
    {
        if (Peek is { } t && t.Equals(keyword, StringComparison.OrdinalIgnoreCase)) { _pos++; return true; }
        return false;
    }

    private SigmaNode Or()
    {
        var list = new List<SigmaNode> { And() };
        while (Accept("or")) list.Add(And());
        return list.Count == 1 ? list[0] : new OrNode(list.ToArray());
    }

    private SigmaNode And()
    {
        var list = new List<SigmaNode> { Not() };
        while (Accept("and")) list.Add(Not());
        return list.Count == 1 ? list[0] : new AndNode(list.ToArray());
    }

    private SigmaNode Not() => Accept("not") ? new NotNode(Not()) : Primary();

    private SigmaNode Primary()
    {
        var t = Peek ?? throw new SigmaRuleException("condition ends too early");
        if (t == "(")
        {
            _pos++;
            var inner = Or();
            if (!Accept(")")) throw new SigmaRuleException("condition: missing ')'");
            return inner;
        }
        if (t == ")" || t.Equals("and", StringComparison.OrdinalIgnoreCase) || t.Equals("or", StringComparison.OrdinalIgnoreCase))
            throw new SigmaRuleException($"condition: unexpected '{t}'");
        _pos++;
        if (Peek is { } next && next.Equals("of", StringComparison.OrdinalIgnoreCase))
        {
            _pos++;
            var target = Peek ?? throw new SigmaRuleException("condition: 'of' without a target");
            _pos++;
            var names = target.Equals("them", StringComparison.OrdinalIgnoreCase)
                ? searches.Keys.Where(k => !k.StartsWith('_')).ToList()
                : searches.Keys.Where(k => Like(k, target)).ToList();
            if (names.Count == 0) throw new SigmaRuleException($"condition: '{target}' matches no search identifier");
            var children = names.Select(n => searches[n]).ToArray();
            if (t.Equals("all", StringComparison.OrdinalIgnoreCase)) return new CountNode(children, children.Length);
            if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) return new CountNode(children, n);
            throw new SigmaRuleException($"condition: '{t} of' is not valid (use 1 of / all of)");
        }
        return searches.TryGetValue(t, out var node) ? node : throw new SigmaRuleException($"condition names unknown search identifier '{t}'");
    }

    private static bool Like(string name, string pattern)
    {
        if (!pattern.Contains('*')) return name == pattern;
        var parts = pattern.Split('*');
        if (!name.StartsWith(parts[0], StringComparison.Ordinal) || !name.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        var pos = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var at = name.IndexOf(parts[i], pos, StringComparison.Ordinal);
            if (at < 0) return false;
            pos = at + parts[i].Length;
        }
        return pos <= name.Length - parts[^1].Length;
    }
}
