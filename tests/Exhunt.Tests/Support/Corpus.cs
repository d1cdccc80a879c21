namespace Exhunt.Tests.Support;

/// <summary>The shared corpus at ../shared/corpus (beside the repository); tests skip with a visible reason when absent.</summary>
public static class Corpus
{
    public static readonly string? Root = Find();

    private static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "exhunt.sln")))
                return Path.GetFullPath(candidate);
            dir = dir.Parent;
        }
        return null;
    }

    /// <summary>The full path of a corpus file or folder; skips the test when the corpus is not there.</summary>
    public static string Path_(string relative)
    {
        Skip.If(Root is null, "shared corpus not found at ../shared/corpus (beside the repository)");
        var full = System.IO.Path.Combine(Root!, relative);
        Skip.IfNot(File.Exists(full) || Directory.Exists(full), $"corpus item '{relative}' is absent");
        return full;
    }
}
