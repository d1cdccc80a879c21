namespace Exhunt.Readers.Evtx;

// The parsed shape of binary XML (MS-EVEN6): templates are parsed once per chunk into these nodes and shared by
// every record that instantiates them; a record only adds its substitution values (byte ranges in the chunk).

internal enum BxKind : byte { Element, Text, CData, CharRef, EntityRef, ProcessingInstruction, Substitution, TemplateInstance }

/// <summary>A node; <see cref="Kind"/> lets the walker dispatch with one switch instead of type tests.</summary>
internal abstract class BxNode(BxKind kind)
{
    public BxKind Kind { get; } = kind;
}

internal sealed class BxElement(string name, BxAttribute[] attributes, BxNode[] children) : BxNode(BxKind.Element)
{
    public string Name { get; } = name;
    public BxAttribute[] Attributes { get; } = attributes;
    public BxNode[] Children { get; } = children;
    /// <summary>The substitution that is the element's whole content, if so (an array value repeats the element).</summary>
    public BxSubstitution? SoleSubstitution { get; } = children is [BxSubstitution s] ? s : null;
}

internal sealed class BxAttribute(string name, BxNode[] value)
{
    public string Name { get; } = name;
    /// <summary>Value parts: text, substitutions, character and entity references.</summary>
    public BxNode[] Value { get; } = value;
    /// <summary>Made of substitutions only, some optional: absent when they are all NULL.</summary>
    public bool MayBeAbsent { get; } = value.All(p => p is BxSubstitution) && value.Any(p => p is BxSubstitution { Optional: true });
}

internal sealed class BxText(string text) : BxNode(BxKind.Text)
{
    public string Text { get; } = text;
}

internal sealed class BxCData(string text) : BxNode(BxKind.CData)
{
    public string Text { get; } = text;
}

internal sealed class BxCharRef(ushort code) : BxNode(BxKind.CharRef)
{
    public ushort Code { get; } = code;
}

internal sealed class BxEntityRef(string name) : BxNode(BxKind.EntityRef)
{
    public string Name { get; } = name;
}

internal sealed class BxProcessingInstruction(string target, string data) : BxNode(BxKind.ProcessingInstruction)
{
    public string Target { get; } = target;
    public string Data { get; } = data;
}

internal sealed class BxSubstitution(ushort index, byte declaredType, bool optional) : BxNode(BxKind.Substitution)
{
    public ushort Index { get; } = index;
    public byte DeclaredType { get; } = declaredType;
    public bool Optional { get; } = optional;
}

internal sealed class BxTemplate(int offset, Guid id, BxNode[] nodes)
{
    public int Offset { get; } = offset;
    public Guid Id { get; } = id;
    public BxNode[] Nodes { get; } = nodes;
}

internal sealed class BxTemplateInstance(BxTemplate template, BxValue[] values) : BxNode(BxKind.TemplateInstance)
{
    public BxTemplate Template { get; } = template;
    public BxValue[] Values { get; } = values;
}

/// <summary>A substitution value: its type and where its bytes are in the chunk buffer.</summary>
internal readonly record struct BxValue(byte Type, int Offset, int Size);
