namespace Exhunt.Demo;

public sealed class DemoOptions
{
    /// <summary>Days of benign traffic.</summary>
    public int Days { get; init; } = 3;
    /// <summary>Roughly how many benign requests per day per log (scale knob for bench/).</summary>
    public int RequestsPerDay { get; init; } = 4000;
    public int Seed { get; init; } = 20210303;
}

/// <summary>Writes a realistic demo evidence set (issue 2, item 3). Being built; see the demo helper's branch.</summary>
public static class DemoEvidence
{
    public static void Write(string folder, DemoOptions options)
    {
        Directory.CreateDirectory(folder);
    }
}
