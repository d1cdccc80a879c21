using System.Text;

namespace Exhunt.Readers.Evtx;

/// <summary>
/// One event record, parsed but not rendered. Valid only inside the callback that receives it: it points into the
/// chunk buffer, which the reader reuses for the next chunk.
/// </summary>
public sealed class EvtxRecord
{
    private readonly EvtxChunk _chunk;
    private readonly BxNode[] _nodes;

    internal EvtxRecord(EvtxChunk chunk, ulong id, DateTime? written, BxNode[] nodes, bool recovered, bool torn)
    {
        _chunk = chunk;
        Id = id;
        Written = written;
        _nodes = nodes;
        Recovered = recovered;
        Torn = torn;
    }

    /// <summary>EventRecordID from the record header.</summary>
    public ulong Id { get; }
    /// <summary>When the record was written (record header FILETIME), UTC.</summary>
    public DateTime? Written { get; }
    /// <summary>
    /// True when the record lies beyond its chunk's declared range (past the free-space offset, or an id outside the
    /// chunk header's first..last), or in a chunk past the file header's count (unless the file is flagged dirty and the chunk's header is intact).
    /// </summary>
    public bool Recovered { get; }
    /// <summary>
    /// True when the record's trailing size copy is zero (a record being written when the file was copied): it was read
    /// from the size its header gives, as far as its binary XML is intact; values past the torn point read as zeros.
    /// </summary>
    public bool Torn { get; }
    public int ChunkIndex => _chunk.Index;

    /// <summary>The event's fields, without rendering XML.</summary>
    public WinEvent ToEvent()
    {
        var builder = _chunk.EventBuilder;
        var e = builder.Start();
        _chunk.Walker.Walk(_nodes, builder, Torn);
        e.RecordId ??= Id;
        e.TimeCreated ??= Written;
        return e;
    }

    public string ToXml()
    {
        var sb = new StringBuilder(2048);
        WriteXml(sb);
        return sb.ToString();
    }

    /// <summary>
    /// Appends the event as one well-formed XML document. A record that renders several top-level elements (damaged
    /// binary XML) is wrapped in &lt;Events&gt;; one that renders none is a format error.
    /// </summary>
    public void WriteXml(StringBuilder sb)
    {
        var start = sb.Length;
        var renderer = new EvtxXmlRenderer(sb);
        _chunk.Walker.Walk(_nodes, renderer, Torn);
        if (renderer.RootElements == 0)
        {
            sb.Length = start;
            throw new EvtxFormatException("record renders no XML element");
        }
        if (renderer.RootElements > 1) sb.Insert(start, "<Events>").Append("</Events>");
    }
}
