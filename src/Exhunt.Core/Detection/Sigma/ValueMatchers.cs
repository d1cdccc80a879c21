using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Exhunt.Readers;

namespace Exhunt.Detection.Sigma;

/// <summary>One compiled Sigma value test against a field's text. Matching never allocates for string tests.</summary>
internal abstract class ValueMatcher
{
    /// <summary>Relative cost, so cheap tests run first inside an AND.</summary>
    public virtual int Cost => 1;

    public abstract bool Match(ReadOnlySpan<char> value, IFieldSource source);

    /// <summary>Literals one of which every value this test accepts contains (ordinal ignore-case), or null when the
    /// test accepts values without any (regex, numbers, networks, negation, a bare '*'). For the event prefilter.</summary>
    internal virtual IReadOnlyList<string>? Literals => null;
}

internal enum StringMode { Equals, StartsWith, EndsWith, Contains, Any, Glob }

/// <summary>A Sigma string (wildcards '*' and '?', backslash escapes) reduced to equals/starts/ends/contains where it can.</summary>
internal sealed class StringMatcher : ValueMatcher
{
    private readonly StringMode _mode;
    private readonly string _literal;
    private readonly StringComparison _comparison;
    // Glob: pattern characters and which of them are wildcards.
    private readonly string _pattern = "";
    private readonly bool[] _wild = [];

    public string Literal => _literal;
    public StringMode Mode => _mode;

    public StringMatcher(SigmaString value, bool cased)
    {
        _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var (pattern, wild) = (value.Text, value.Wild);
        var hasInnerWildcard = false;
        int first = 0, last = pattern.Length;
        var leadingStar = pattern.Length > 0 && wild[0] && pattern[0] == '*';
        var trailingStar = pattern.Length > 0 && wild[^1] && pattern[^1] == '*';
        if (leadingStar) first = 1;
        if (trailingStar && last > first) last--;
        for (var i = first; i < last; i++) hasInnerWildcard |= wild[i];
        if (pattern.Length > 0 && pattern.AsSpan().IndexOfAnyExcept('*') < 0 && AllWild(wild))
        {
            _mode = StringMode.Any;
            _literal = "";
            return;
        }
        if (!hasInnerWildcard)
        {
            _literal = pattern[first..last];
            _mode = (leadingStar, trailingStar) switch
            {
                (true, true) => StringMode.Contains,
                (true, false) => StringMode.EndsWith,
                (false, true) => StringMode.StartsWith,
                _ => StringMode.Equals,
            };
            return;
        }
        _mode = StringMode.Glob;
        _pattern = pattern;
        _wild = wild;
        _literal = LongestLiteral(pattern, wild);
    }

    private static bool AllWild(bool[] wild)
    {
        foreach (var w in wild) if (!w) return false;
        return true;
    }

    private static string LongestLiteral(string pattern, bool[] wild)
    {
        int best = 0, bestStart = 0, start = 0;
        for (var i = 0; i <= pattern.Length; i++)
        {
            if (i == pattern.Length || wild[i])
            {
                if (i - start > best) { best = i - start; bestStart = start; }
                start = i + 1;
            }
        }
        return pattern.Substring(bestStart, best);
    }

    public override int Cost => _mode == StringMode.Glob ? 3 : _mode == StringMode.Contains ? 2 : 1;

    internal override IReadOnlyList<string>? Literals => _mode == StringMode.Any || _literal.Length == 0 ? null : [_literal];

    /// <summary>A web-log line-prefilter needle for a literal: its longest run (3 characters or more) that a raw line
    /// holds as written wherever a field value holds the literal: a run without space or '+' (IIS writes one for the
    /// other; the reader turns '+' into a space in the user agent), '"' (CSV doubles it), '?' (stem + '?' + query is
    /// not one run of the line) or ','. A value that holds the literal holds each of its runs; readers do not
    /// URL-decode, so '%' escapes are written as they are logged.</summary>

    internal static string? RawRun(string literal)
    {
        int best = 0, bestStart = 0, start = 0;
        for (var i = 0; i <= literal.Length; i++)
        {
            if (i < literal.Length && literal[i] is not (' ' or '+' or '"' or '?' or ',')) continue;
            if (i - start > best) { best = i - start; bestStart = start; }
            start = i + 1;
        }
        return best < 3 ? null : best == literal.Length ? literal : literal.Substring(bestStart, best);
    }

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source) => _mode switch
    {
        StringMode.Equals => value.Equals(_literal, _comparison),
        StringMode.StartsWith => value.StartsWith(_literal, _comparison),
        StringMode.EndsWith => value.EndsWith(_literal, _comparison),
        StringMode.Contains => value.Contains(_literal, _comparison),
        StringMode.Any => true,
        _ => Glob(value),
    };

    /// <summary>Wildcard match without recursion or allocation ('*' any run, '?' one character).</summary>
    private bool Glob(ReadOnlySpan<char> value)
    {
        var p = _pattern.AsSpan();
        var ignoreCase = _comparison == StringComparison.OrdinalIgnoreCase;
        int vi = 0, pi = 0, starP = -1, starV = 0;
        while (vi < value.Length)
        {
            if (pi < p.Length && _wild[pi] && p[pi] == '*') { starP = pi++; starV = vi; continue; }
            if (pi < p.Length && ((_wild[pi] && p[pi] == '?') || (!_wild[pi] && Same(p[pi], value[vi], ignoreCase)))) { pi++; vi++; continue; }
            if (starP < 0) return false;
            pi = starP + 1;
            vi = ++starV;
        }
        while (pi < p.Length && _wild[pi] && p[pi] == '*') pi++;
        return pi == p.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && (a < 128 && b < 128 ? (a | 0x20) == (b | 0x20) && char.IsAsciiLetter(a) : char.ToUpperInvariant(a) == char.ToUpperInvariant(b)));
}

/// <summary>The <c>re</c> modifier: .NET regex, NonBacktracking where the pattern allows it, else with a timeout.
/// The pattern is checked when the rule loads; the matcher itself is built on first use, since a NonBacktracking regex
/// costs hundreds of KB and the event prefilter means most regex tests of a large rule set never run.</summary>
internal sealed class RegexMatcher : ValueMatcher
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);
    private readonly string _pattern;
    private readonly RegexOptions _options;
    private Regex? _regex;

    public RegexMatcher(string pattern, bool ignoreCase, bool multiline, bool singleline)
    {
        var options = RegexOptions.CultureInvariant;
        if (ignoreCase) options |= RegexOptions.IgnoreCase;
        if (multiline) options |= RegexOptions.Multiline;
        if (singleline) options |= RegexOptions.Singleline;
        _pattern = pattern;
        _options = options;
        // Syntax check only (throws ArgumentException for an invalid pattern); the parse tree is not kept.
        _ = new Regex(pattern, options, Timeout);
    }

    public override int Cost => 20;

    /// <summary>Whether the matcher has been built (tests and memory accounting).</summary>
    internal bool Built => _regex is not null;

    /// <summary>One regex per pattern and options for the process while any rule uses it: a rule compiled for two
    /// channels (process_creation: Sysmon 1 and Security 4688), or the same pattern in several rules, shares it.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, RegexOptions), WeakReference<Regex>> Shared = new();

    private Regex Build()
    {
        var key = (_pattern, _options);
        if (Shared.TryGetValue(key, out var weak) && weak.TryGetTarget(out var existing)) return existing;
        Regex regex;
        try { regex = new Regex(_pattern, _options | RegexOptions.NonBacktracking); }
        catch (NotSupportedException) { regex = new Regex(_pattern, _options, Timeout); }
        Shared[key] = new WeakReference<Regex>(regex);
        return regex;
    }

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source)
    {
        var regex = _regex ?? Interlocked.CompareExchange(ref _regex, Build(), null) ?? _regex!;
        try { return regex.IsMatch(value); }
        catch (RegexMatchTimeoutException) { return false; }
    }
}

/// <summary><c>lt</c>, <c>lte</c>, <c>gt</c>, <c>gte</c>: the field read as a number (decimal, or hex with 0x).</summary>
internal sealed class NumberMatcher(string op, double bound) : ValueMatcher
{
    public override int Cost => 2;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source)
    {
        if (!TryNumber(value.Trim(), out var n)) return false;
        return op switch { "lt" => n < bound, "lte" => n <= bound, "gt" => n > bound, _ => n >= bound };
    }

    public static bool TryNumber(ReadOnlySpan<char> s, out double n)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            n = hex;
            return true;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out n);
    }
}

/// <summary><c>cidr</c>: IPv4 or IPv6 network membership.</summary>
internal sealed class CidrMatcher(IPNetwork network) : ValueMatcher
{
    public override int Cost => 3;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source)
    {
        value = value.Trim();
        if (value.Length > 2 && value[0] == '[' && value[^1] == ']') value = value[1..^1];
        if (!IPAddress.TryParse(value, out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6 && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ip = ip.MapToIPv4();
        return ip.AddressFamily == network.BaseAddress.AddressFamily && network.Contains(ip);
    }
}

/// <summary><c>fieldref</c>: the field compared with another field of the same record (with contains/startswith/endswith if given).</summary>
internal sealed class FieldRefMatcher(FieldKey other, StringMode mode, bool cased) : ValueMatcher
{
    public override int Cost => 2;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source)
    {
        if (!source.TryGet(other, out var o)) return false;
        var c = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return mode switch
        {
            StringMode.StartsWith => value.StartsWith(o, c),
            StringMode.EndsWith => value.EndsWith(o, c),
            StringMode.Contains => value.Contains(o, c),
            _ => value.Equals(o, c),
        };
    }
}

/// <summary><c>neq</c>: the inner test negated.</summary>
internal sealed class NotMatcher(ValueMatcher inner) : ValueMatcher
{
    public override int Cost => inner.Cost;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source) => !inner.Match(value, source);
}

/// <summary>A Sigma string value after escape processing: its characters, and which of them are wildcards.</summary>
internal readonly record struct SigmaString(string Text, bool[] Wild)
{
    /// <summary>Parses Sigma escaping: <c>\*</c>, <c>\?</c> and <c>\\</c> are literal; any other backslash is itself.</summary>
    public static SigmaString Parse(string raw)
    {
        var text = new System.Text.StringBuilder(raw.Length);
        var wild = new List<bool>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < raw.Length && raw[i + 1] is '*' or '?' or '\\')
            {
                text.Append(raw[++i]);
                wild.Add(false);
            }
            else
            {
                text.Append(c);
                wild.Add(c is '*' or '?');
            }
        }
        return new SigmaString(text.ToString(), wild.ToArray());
    }

    /// <summary>A plain literal (no wildcards), as encodings produce.</summary>
    public static SigmaString Literal(string text) => new(text, new bool[text.Length]);

    public SigmaString Wrap(bool leading, bool trailing)
    {
        var t = Text;
        var w = new List<bool>(Wild);
        if (leading && !(t.Length > 0 && Wild[0] && t[0] == '*')) { t = "*" + t; w.Insert(0, true); }
        if (trailing && !(t.Length > 0 && w[^1] && t[^1] == '*')) { t += "*"; w.Add(true); }
        return new SigmaString(t, w.ToArray());
    }

    public bool HasWildcards => Array.IndexOf(Wild, true) >= 0;
}

/// <summary>Many <c>contains</c> literals of one field as one vectorised multi-string search (SearchValues).</summary>
internal sealed class ContainsAnyMatcher(IReadOnlyList<string> literals, bool cased) : ValueMatcher
{
    private readonly System.Buffers.SearchValues<string> _values =
        System.Buffers.SearchValues.Create(literals.ToArray(), cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    internal override IReadOnlyList<string>? Literals => literals;

    public override int Cost => 3;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source) => value.IndexOfAny(_values) >= 0;
}

/// <summary>Many whole-value literals of one field as one hash lookup.</summary>
internal sealed class EqualsAnyMatcher : ValueMatcher
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    internal override IReadOnlyList<string>? Literals => _lookup.Set.Any(s => s.Length == 0) ? null : _lookup.Set.ToArray();

    public EqualsAnyMatcher(IEnumerable<string> literals, bool cased)
    {
        var set = new HashSet<string>(literals, cased ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        _lookup = set.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override int Cost => 1;

    public override bool Match(ReadOnlySpan<char> value, IFieldSource source) => _lookup.Contains(value);
}
