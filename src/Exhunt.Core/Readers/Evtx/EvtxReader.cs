namespace Exhunt.Readers.Evtx;

/// <summary>Streaming .evtx reader (issue 3). Calls back once per event with its EventRecordID.</summary>
public static class EvtxReader
{
    public static void Read(Stream stream, ReaderStats stats, Action<WinEvent, long> onEvent)
    {
        EvtxFile.ReadRecords(stream, stats, record =>
        {
            WinEvent e;
            try
            {
                e = record.ToEvent();
            }
            catch (Exception ex) when (ex is EvtxFormatException or ArgumentException or IndexOutOfRangeException)
            {
                stats.Skip($"record {record.Id} (chunk {record.ChunkIndex}): {ex.Message}");
                return;
            }
            Count(stats, record, e.TimeCreated);
            onEvent(e, (long)record.Id);
        });
    }

    /// <summary>Record accounting shared by every consumer of <see cref="EvtxFile.ReadRecords"/>.</summary>
    public static void Count(ReaderStats stats, EvtxRecord record, DateTime? time)
    {
        stats.Records++;
        if (record.Recovered) stats.Recovered++;
        if (time is { } t) stats.SeeTime(t);
    }
}
