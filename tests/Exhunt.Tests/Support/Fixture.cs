using System.Text;
using Exhunt.Evidence;

namespace Exhunt.Tests.Support;

/// <summary>Builds evidence files and folders in memory or in a temp folder for tests.</summary>
public static class Fixture
{
    public static EvidenceFile File(string relativePath, string content, ArtifactKind? kind = null)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var f = new EvidenceFile(relativePath, bytes.Length, null, () => new MemoryStream(bytes, writable: false));
        if (kind is { } k) f.Kind = k;
        else ArtifactClassifier.Classify(f, bytes.AsSpan(0, Math.Min(bytes.Length, ArtifactClassifier.SniffBytes)));
        return f;
    }

    public static EvidenceFile File(string relativePath, byte[] bytes)
    {
        var f = new EvidenceFile(relativePath, bytes.Length, null, () => new MemoryStream(bytes, writable: false));
        ArtifactClassifier.Classify(f, bytes.AsSpan(0, Math.Min(bytes.Length, ArtifactClassifier.SniffBytes)));
        return f;
    }

    /// <summary>A temp folder deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "exhunt-test-" + Guid.NewGuid().ToString("N")[..10]);
        public TempDir() => Directory.CreateDirectory(Path);

        public string Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

        public string Write(string relative, byte[] content)
        {
            var full = System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            System.IO.File.WriteAllBytes(full, content);
            return full;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
