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

    internal EvtxRecord(EvtxChunk chunk, ulong id, DateTime? written, BxNode[] nodes, bool recovered)
    {
        _chunk = chunk;
        Id = id;
        Written = written;
        _nodes = nodes;
        Recovered = recovered;
    }

    /// <summary>EventRecordID from the record header.</summary>
    public ulong Id { get; }
    /// <summary>When the record was written (record header FILETIME), UTC.</summary>
    public DateTime? Written { get; }
    /// <summary>True when the record lies beyond what the file header announced (dirty file).</summary>
    public bool Recovered { get; }
    public int ChunkIndex => _chunk.Index;

    /// <summary>The event's fields, without rendering XML.</summary>
    public WinEvent ToEvent()
    {
        var builder = _chunk.EventBuilder;
        var e = builder.Start();
        _chunk.Walker.Walk(_nodes, builder);
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

    public void WriteXml(StringBuilder sb) => _chunk.Walker.Walk(_nodes, new EvtxXmlRenderer(sb));
}
