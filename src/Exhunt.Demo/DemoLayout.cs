namespace Exhunt.Demo;

/// <summary>
/// Where the demo's files land. The generator names every file by its KAPE path (<c>C/Program Files/...</c>, the
/// drive letter as the first folder); a layout maps that onto the shape of another collection tool or copy.
/// </summary>
public sealed class DemoLayout
{
    public const string ExchangeRoot = "C/Program Files/Microsoft/Exchange Server/V15";

    private readonly Func<string, string> _map;

    private DemoLayout(string name, Func<string, string> map)
    {
        Name = name;
        _map = map;
    }

    public string Name { get; }

    /// <summary>The relative output path ('/'-separated) for a KAPE path.</summary>
    public string Map(string kapePath) => _map(kapePath);

    public override string ToString() => Name;

    /// <summary>KAPE target output: <c>C/Program Files/Microsoft/Exchange Server/V15/Logging/...</c>.</summary>
    public static readonly DemoLayout Kape = new("kape", p => p);

    /// <summary>Velociraptor collection: <c>uploads/auto/C%3A/Program%20Files/...</c>, every segment percent-encoded.</summary>
    public static readonly DemoLayout Velociraptor = new("velociraptor", p =>
    {
        var segs = p.Split('/');
        segs[0] += ":";
        return "uploads/auto/" + string.Join('/', segs.Select(Uri.EscapeDataString));
    });

    /// <summary>
    /// Velociraptor with the raw NTFS accessor: the device path becomes the first folder,
    /// <c>uploads/ntfs/%5C%5C.%5CC%3A/Program%20Files/...</c>.
    /// </summary>
    public static readonly DemoLayout VelociraptorNtfs = new("velociraptor-ntfs", p =>
    {
        var segs = p.Split('/');
        segs[0] = "\\\\.\\" + segs[0] + ":";
        return "uploads/ntfs/" + string.Join('/', segs.Select(Uri.EscapeDataString));
    });

    /// <summary>Exchange installed on another drive and folder: <c>D/Exchange/Logging/...</c>, logs and web roots alike.</summary>
    public static readonly DemoLayout OtherDrive = new("other-drive", p =>
        p.StartsWith(ExchangeRoot + "/", StringComparison.Ordinal) ? "D/Exchange/" + p[(ExchangeRoot.Length + 1)..] : p);

    /// <summary>
    /// A hand copy of the interesting folders, without the drive tree: <c>HttpProxy/Ecp/*.LOG</c>, <c>W3SVC1/*.log</c>,
    /// <c>FrontEnd/HttpProxy/owa/auth/...</c>, <c>wwwroot/aspnet_client/...</c>.
    /// </summary>
    public static readonly DemoLayout Flat = new("flat", p =>
    {
        foreach (var anchor in new[] { "/Logging/", "/LogFiles/", "/inetpub/", ExchangeRoot + "/", "C/Windows/", "C/" })
        {
            var i = p.IndexOf(anchor, StringComparison.Ordinal);
            if (i >= 0) return p[(i + anchor.Length)..];
        }
        return p;
    });

    /// <summary>
    /// A copy whose folder names changed case (e.g. via a case-insensitive file system or a zip tool):
    /// <c>LOGGING/httpproxy/OWA/...</c>. Folders alternate upper and lower case; file names are lower-cased.
    /// </summary>
    public static readonly DemoLayout MixedCase = new("mixed-case", p =>
    {
        var segs = p.Split('/');
        for (var i = 0; i < segs.Length; i++)
            segs[i] = i == segs.Length - 1 ? segs[i].ToLowerInvariant() : i % 2 == 0 ? segs[i].ToUpperInvariant() : segs[i].ToLowerInvariant();
        return string.Join('/', segs);
    });

    public static IReadOnlyList<DemoLayout> All { get; } = [Kape, Velociraptor, VelociraptorNtfs, OtherDrive, Flat, MixedCase];
}
