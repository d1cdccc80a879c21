namespace Exhunt.Readers.Evtx;

/// <summary>Malformed EVTX data: the record (or chunk) is skipped with this message, never the whole file.</summary>
public sealed class EvtxFormatException(string message) : Exception(message);
