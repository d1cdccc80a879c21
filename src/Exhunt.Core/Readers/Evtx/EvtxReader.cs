namespace Exhunt.Readers.Evtx;

/// <summary>Streaming .evtx reader (issue 3). Calls back once per event with its EventRecordID.</summary>
public static class EvtxReader
{
    public static void Read(Stream stream, ReaderStats stats, Action<WinEvent, long> onEvent)
    {
        stats.Error("EVTX reading is not available in this build; file counted, events not read");
    }
}
