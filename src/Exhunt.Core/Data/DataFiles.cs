namespace Exhunt.Data;

/// <summary>Reads the detection content shipped as embedded data files (Data/**).</summary>
public static class DataFiles
{
    public static Stream Open(string relativeName)
    {
        // LogicalName keeps the folder: Exhunt.Data.iocs/ips.tsv (RecursiveDir uses the OS separator).
        var name = "Exhunt.Data." + relativeName.Replace('\\', '/');
        return typeof(DataFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded data file '{relativeName}' is missing from the build");
    }

    public static string ReadText(string relativeName)
    {
        using var reader = new StreamReader(Open(relativeName));
        return reader.ReadToEnd();
    }

    /// <summary>Lines of a data file without blanks and '#' comments.</summary>
    public static IEnumerable<string> ReadLines(string relativeName) =>
        ReadText(relativeName).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#');
}
