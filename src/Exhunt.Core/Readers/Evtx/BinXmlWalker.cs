using System.Runtime.CompilerServices;

namespace Exhunt.Readers.Evtx;

/// <summary>What a walk over a record's binary XML reports, in document order, with substitutions resolved.</summary>
internal interface IBxVisitor
{
    void StartElement(string name);
    void StartAttribute(string name);
    void EndAttribute();
    /// <summary>All attributes reported; content follows.</summary>
    void CloseStart();
    void EndElement();
    void Text(string text);
    void CData(string text);
    void CharRef(ushort code);
    void EntityRef(string name);
    void ProcessingInstruction(string target, string data);
    /// <summary>A substitution value (never null-typed, never Binary XML: those are resolved by the walker).</summary>
    void Value(byte[] buffer, BxValue value);
}

/// <summary>
/// Walks parsed binary XML, resolving template substitutions (and Binary XML values, parsed on demand) into one
/// stream of visitor calls. Work is bounded: nesting by <see cref="BinXmlParser.MaxDepth"/>, total nodes by a budget.
/// </summary>
internal sealed class BinXmlWalker(EvtxChunk chunk)
{
    public const int NodeBudget = 1_000_000;
    /// <summary>
    /// All walks over one chunk's records together: a 64 KiB chunk of real events walks ~10^4 nodes, while templates
    /// instantiating templates (each once defined, then referenced in 14 bytes) multiply without bound.
    /// </summary>
    public const int ChunkNodeBudget = 2_000_000;
    private int _budget;
    private long _chunkRemaining = ChunkNodeBudget;

    public void StartChunk() => _chunkRemaining = ChunkNodeBudget;

    /// <summary>
    /// Set for a torn record's walk: a Binary XML value cut by the tear is left out instead of failing the record, and a
    /// value whose bytes are all zero is taken as not yet written (absent), so the record header's id and time stand in.
    /// </summary>
    private bool _lenient;

    public void Walk(BxNode[] nodes, IBxVisitor visitor, bool torn = false)
    {
        _lenient = torn;
        if (_chunkRemaining <= 0)
            throw new EvtxFormatException($"chunk expands to more than {ChunkNodeBudget} XML nodes; its remaining records are not expanded");
        var start = _budget = (int)Math.Min(NodeBudget, _chunkRemaining);
        try
        {
            Nodes(nodes, [], visitor, 0);
        }
        finally
        {
            _chunkRemaining -= start - Math.Max(_budget, 0);
        }
    }

    private string BudgetMessage() => _chunkRemaining < NodeBudget
        ? $"chunk expands to more than {ChunkNodeBudget} XML nodes; its remaining records are not expanded"
        : $"record expands to more than {NodeBudget} XML nodes";

    private void Nodes(BxNode[] nodes, BxValue[] values, IBxVisitor v, int depth)
    {
        if (depth > BinXmlParser.MaxDepth) throw new EvtxFormatException($"binary XML nested deeper than {BinXmlParser.MaxDepth} levels");
        foreach (var node in nodes) Node(node, values, v, depth);
    }

    private void Element(BxElement e, BxValue[] values, IBxVisitor v, int depth, BxValue? item)
    {
        v.StartElement(e.Name);
        foreach (var a in e.Attributes)
        {
            if (a.MayBeAbsent && IsAbsent(a, values)) continue;
            v.StartAttribute(a.Name);
            foreach (var part in a.Value) Node(part, values, v, depth + 1);
            v.EndAttribute();
        }
        v.CloseStart();
        if (item is { } one)
        {
            if (one.Type != EvtxValues.Null && one.Size > 0 && !Unwritten(one)) v.Value(chunk.Buffer, one);
        }
        else
        {
            foreach (var c in e.Children) Node(c, values, v, depth + 1);
        }
        v.EndElement();
    }

    private bool Unwritten(BxValue value) =>
        _lenient && chunk.Buffer.AsSpan(value.Offset, value.Size).IndexOfAnyExcept((byte)0) < 0;

    /// <summary>
    /// An attribute made only of optional substitutions whose values are NULL is not rendered, as Windows does
    /// (e.g. &lt;Correlation/&gt; without ActivityID, EventID without Qualifiers).
    /// </summary>
    private static bool IsAbsent(BxAttribute a, BxValue[] values)
    {
        foreach (var part in a.Value)
        {
            var s = Unsafe.As<BxSubstitution>(part);
            if (s.Index < values.Length && values[s.Index].Type != EvtxValues.Null) return false;
        }
        return true;
    }

    private void Node(BxNode node, BxValue[] values, IBxVisitor v, int depth)
    {
        if (--_budget < 0) throw new EvtxFormatException(BudgetMessage());
        switch (node.Kind)
        {
            case BxKind.Element:
                var e = Unsafe.As<BxElement>(node);
                if (e.SoleSubstitution is { } sub && sub.Index < values.Length
                    && (values[sub.Index].Type & EvtxValues.ArrayFlag) != 0 && values[sub.Index].Type != EvtxValues.BinXml)
                    RepeatPerItem(e, values[sub.Index], values, v, depth);
                else
                    Element(e, values, v, depth, null);
                break;
            case BxKind.Text:
                v.Text(Unsafe.As<BxText>(node).Text);
                break;
            case BxKind.Substitution:
                var s = Unsafe.As<BxSubstitution>(node);
                if (s.Index >= values.Length) break; // no such value: rendered empty
                var value = values[s.Index];
                if (value.Type == EvtxValues.BinXml)
                {
                    BxNode[] parsed;
                    try
                    {
                        parsed = BinXmlParser.ParseValue(chunk, value.Offset, value.Offset + value.Size, depth + 1);
                    }
                    catch (EvtxFormatException) when (_lenient)
                    {
                        break; // torn record: this value was not yet written
                    }
                    Nodes(parsed, [], v, depth + 1);
                }
                else if (value.Type != EvtxValues.Null && value.Size > 0 && !Unwritten(value))
                    v.Value(chunk.Buffer, value);
                break;
            case BxKind.TemplateInstance:
                var ti = Unsafe.As<BxTemplateInstance>(node);
                Nodes(ti.Template.Nodes, ti.Values, v, depth + 1);
                break;
            case BxKind.CharRef:
                v.CharRef(Unsafe.As<BxCharRef>(node).Code);
                break;
            case BxKind.EntityRef:
                v.EntityRef(Unsafe.As<BxEntityRef>(node).Name);
                break;
            case BxKind.CData:
                v.CData(Unsafe.As<BxCData>(node).Text);
                break;
            case BxKind.ProcessingInstruction:
                var pi = Unsafe.As<BxProcessingInstruction>(node);
                v.ProcessingInstruction(pi.Target, pi.Data);
                break;
        }
    }

    /// <summary>
    /// An element whose whole content is an array value is repeated once per item (as Windows renders classic
    /// events' string arrays: one &lt;Data&gt; per string); an empty array gives one empty element.
    /// </summary>
    private void RepeatPerItem(BxElement e, BxValue array, BxValue[] values, IBxVisitor v, int depth)
    {
        var items = new List<BxValue>();
        EvtxValues.SplitArray(chunk.Buffer, array, items);
        if (items.Count == 0) items.Add(new BxValue(EvtxValues.Null, 0, 0));
        foreach (var item in items)
        {
            if (--_budget < 0) throw new EvtxFormatException(BudgetMessage());
            Element(e, values, v, depth, item);
        }
    }
}
