namespace Exhunt.Tests.Support;

/// <summary>The shared corpus at ../shared/corpus (beside the repository); tests skip with a visible reason when absent.</summary>
public static class Corpus
{
    public static readonly string? Root = Find();

    private static string? Find()
    {
        // Beside the repository, or beside a folder above it (git worktrees live one level further down).
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var inRepo = false;
        while (dir is not null)
        {
            inRepo |= File.Exists(Path.Combine(dir.FullName, "exhunt.sln"));
            var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
            if (inRepo && Directory.Exists(candidate))
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
