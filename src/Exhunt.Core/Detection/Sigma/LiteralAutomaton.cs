namespace Exhunt.Detection.Sigma;

/// <summary>
/// Aho-Corasick over ASCII literals, ordinal ignore-case: one pass over a value reports every literal it contains.
/// Characters are folded through a table built from <see cref="StringComparison.OrdinalIgnoreCase"/> itself (an ASCII
/// letter with its other case and any non-ASCII character the framework equates with it, e.g. the Kelvin sign), so a
/// literal is reported exactly when <c>value.Contains(literal, OrdinalIgnoreCase)</c>. Compact: a dense table at the
/// root only, sorted edge lists below it, failure and output links.
/// </summary>
internal sealed class LiteralAutomaton
{
    private const int Alphabet = 128;
    /// <summary>Symbol of a character no literal holds (non-ASCII not equal to an ASCII letter).</summary>
    private const byte Other = 0;

    private static readonly Lazy<byte[]> FoldTable = new(BuildFold);

    private readonly byte[] _fold;
    private readonly int[] _root = new int[Alphabet];
    private readonly int[] _edgeStart;   // per state: first edge; edges of a state are contiguous and sorted by symbol
    private readonly short[] _edgeCountWide;
    private readonly byte[] _edgeSymbol;
    private readonly int[] _edgeTarget;
    private readonly int[] _fail;
    private readonly int[] _outFirst;    // per state: literal id ending here, or -1
    private readonly int[] _outNext;     // per state: next state on the failure chain with an output, or 0

    public int States => _fail.Length;

    /// <summary>Builds the automaton; literal i gets id i. Literals must be ASCII without NUL (<see cref="SigmaNeeds.Usable"/>);
    /// equal literals (ignoring case) must be merged by the caller.</summary>
    public LiteralAutomaton(IReadOnlyList<string> literals)
    {
        _fold = FoldTable.Value;
        var fold = _fold;
        // Trie from the literals in folded order: a literal shares with the trie exactly its common prefix with the one
        // before it, and each state's children appear in symbol order. No transition map while building: for the full
        // SigmaHQ Windows set (~230k states) a map keyed by (state, symbol) cost ~15 MB of large-object garbage.
        var order = new int[literals.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            foreach (var c in literals[i])
                if (fold[c] == Other) throw new ArgumentException("literal is not ASCII", nameof(literals));
        }
        Array.Sort(order, (a, b) => CompareFolded(literals[a], literals[b], fold));
        var n = 1;
        for (var k = 0; k < order.Length; k++)
        {
            var lit = literals[order[k]];
            var common = k == 0 ? 0 : CommonPrefix(literals[order[k - 1]], lit, fold);
            if (k > 0 && common == lit.Length && common == literals[order[k - 1]].Length)
                throw new ArgumentException($"duplicate literal '{lit}'", nameof(literals));
            n += lit.Length - common;
        }
        var parent = new int[n];
        var symbol = new byte[n];
        _outFirst = new int[n];
        Array.Fill(_outFirst, -1);
        var path = new List<int> { 0 };   // path[d]: the state of the previous literal's first d symbols
        var next = 1;
        for (var k = 0; k < order.Length; k++)
        {
            var lit = literals[order[k]];
            var common = k == 0 ? 0 : CommonPrefix(literals[order[k - 1]], lit, fold);
            path.RemoveRange(common + 1, path.Count - common - 1);
            for (var d = common; d < lit.Length; d++)
            {
                parent[next] = path[d];
                symbol[next] = fold[lit[d]];
                path.Add(next++);
            }
            _outFirst[path[lit.Length]] = order[k];
        }
        _fail = new int[n];
        _outNext = new int[n];
        _edgeStart = new int[n + 1];
        _edgeCountWide = new short[n];
        // Edges grouped by state (counting sort by parent; children were made in symbol order, so each group is sorted).
        for (var s = 1; s < n; s++) _edgeCountWide[parent[s]]++;
        for (int s = 0, e = 0; s < n; s++)
        {
            _edgeStart[s] = e;
            e += _edgeCountWide[s];
        }
        _edgeStart[n] = n - 1;
        _edgeSymbol = new byte[Math.Max(0, n - 1)];
        _edgeTarget = new int[Math.Max(0, n - 1)];
        var fill = (int[])_edgeStart.Clone();
        for (var s = 1; s < n; s++)
        {
            var at = fill[parent[s]]++;
            _edgeSymbol[at] = symbol[s];
            _edgeTarget[at] = s;
        }
        // Failure links, breadth first (each state is queued once: the parent array, no longer needed, is the queue).
        var queue = parent;
        int head = 0, tail = 0;
        for (var i = 0; i < _edgeCountWide[0]; i++)
        {
            var to = _edgeTarget[i];
            _root[_edgeSymbol[i]] = to;
            queue[tail++] = to;
        }
        while (head < tail)
        {
            var s = queue[head++];
            for (int i = _edgeStart[s], end = i + _edgeCountWide[s]; i < end; i++)
            {
                var sym = _edgeSymbol[i];
                var to = _edgeTarget[i];
                var f = _fail[s];
                int target;
                while (true)
                {
                    if (f == 0) { target = _root[sym]; break; }
                    if (Edge(f, sym) is var t and >= 0) { target = t; break; }
                    f = _fail[f];
                }
                _fail[to] = target == to ? 0 : target;
                _outNext[to] = _outFirst[_fail[to]] >= 0 ? _fail[to] : _outNext[_fail[to]];
                queue[tail++] = to;
            }
        }
    }

    private static int CompareFolded(string a, string b, byte[] fold)
    {
        var common = CommonPrefix(a, b, fold);
        if (common < a.Length && common < b.Length) return fold[a[common]].CompareTo(fold[b[common]]);
        return a.Length.CompareTo(b.Length);
    }

    private static int CommonPrefix(string a, string b, byte[] fold)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && fold[a[i]] == fold[b[i]]) i++;
        return i;
    }

    private int Edge(int state, byte sym)
    {
        int lo = _edgeStart[state], hi = lo + _edgeCountWide[state] - 1;
        var symbols = _edgeSymbol;
        if (hi - lo < 8)
        {
            for (var i = lo; i <= hi; i++)
                if (symbols[i] == sym) return _edgeTarget[i];
            return -1;
        }
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var m = symbols[mid];
            if (m == sym) return _edgeTarget[mid];
            if (m < sym) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>Calls <paramref name="sink"/> with the id of every literal occurring in <paramref name="text"/> (a literal
    /// occurring several times may be reported several times).</summary>
    public void Search<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, IHitSink
    {
        var fold = _fold;
        var state = 0;
        foreach (var c in text)
        {
            var sym = fold[c];
            if (sym == Other) { state = 0; continue; }
            while (true)
            {
                if (state == 0) { state = _root[sym]; break; }
                var t = Edge(state, sym);
                if (t >= 0) { state = t; break; }
                state = _fail[state];
            }
            if (state == 0) continue;
            for (var s = _outFirst[state] >= 0 ? state : _outNext[state]; s != 0; s = _outNext[s])
                sink.Hit(_outFirst[s]);
        }
    }

    /// <summary>Character → symbol: ASCII folded to upper case; a non-ASCII character that ordinal ignore-case equates
    /// with an ASCII letter → that letter; any other → <see cref="Other"/>.</summary>
    internal static byte[] Fold => FoldTable.Value;

    private static byte[] BuildFold()
    {
        var table = new byte[65536];
        for (var c = 1; c < 128; c++) table[c] = (byte)(c is >= 'a' and <= 'z' ? c - 32 : c);
        Span<char> one = stackalloc char[1];
        Span<char> letter = stackalloc char[1];
        for (var c = 128; c < 65536; c++)
        {
            // Surrogates are compared as pairs (never equal to an ASCII letter); skip the framework call for them.
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            one[0] = (char)c;
            for (var a = 'A'; a <= 'Z'; a++)
            {
                letter[0] = a;
                if (MemoryExtensions.Equals(one, letter, StringComparison.OrdinalIgnoreCase)) { table[c] = (byte)a; break; }
            }
        }
        return table;
    }
}

/// <summary>Receives literal ids from <see cref="LiteralAutomaton.Search{TSink}"/>.</summary>
internal interface IHitSink
{
    void Hit(int literal);
}
