namespace Exhunt.Evidence;

/// <summary>
/// An archive opened (or not) as part of the evidence: the scanned zip itself, a per-server zip in a folder, a zip in a
/// zip. <paramref name="Path"/> is evidence-relative ('/' separators; its entries read as <c>Path/entry</c>);
/// <paramref name="Kind"/> is zip, 7z or rar; <paramref name="Files"/> counts the files read from it directly (nested
/// containers have their own line); <paramref name="Problem"/> says why it was not (fully) read, null when it was;
/// <paramref name="Host"/> is the host the collection layout names, when it does.
/// </summary>
public sealed record ContainerInfo(string Path, string Kind, int Files, string? Problem, string? Host = null);
