namespace Exhunt.Readers.EventJson;

/// <summary>JSON-lines Windows event exports (issue 3). Calls back once per event with its line number.</summary>
public static class JsonEventReader
{
    public static void Read(Stream stream, ReaderStats stats, Action<WinEvent, long> onEvent)
    {
        stats.Error("JSON event exports are not read in this build; file counted, events not read");
    }
}
