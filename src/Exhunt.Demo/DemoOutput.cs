namespace Exhunt.Demo;

/// <summary>Opens output files by KAPE path under the chosen layout and records what was written.</summary>
internal sealed class DemoOutput(string folder, DemoLayout layout)
{
    private readonly List<string> _written = new();

    public string FullPath(string kapePath) => Path.Combine(folder, layout.Map(kapePath).Replace('/', Path.DirectorySeparatorChar));

    public LogSink Open(string kapePath, IEnumerable<ScriptedLine>? pending = null)
    {
        lock (_written) _written.Add(kapePath);
        return LogSink.Create(FullPath(kapePath), pending);
    }

    public void WriteBytes(string kapePath, byte[] bytes, DateTime lastWriteUtc)
    {
        lock (_written) _written.Add(kapePath);
        var full = FullPath(kapePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        File.SetLastWriteTimeUtc(full, lastWriteUtc);
    }

    /// <summary>An empty folder, as stock installs have (aspnet_client\system_web\4_0_30319).</summary>
    public void Folder(string kapePath) => Directory.CreateDirectory(FullPath(kapePath));

    public void Touch(string kapePath, DateTime lastWriteUtc) => File.SetLastWriteTimeUtc(FullPath(kapePath), lastWriteUtc);

    public IReadOnlyList<string> Written { get { lock (_written) return _written.Order(StringComparer.Ordinal).ToList(); } }
}
