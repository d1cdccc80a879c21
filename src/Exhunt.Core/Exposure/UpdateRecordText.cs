using System.Text.RegularExpressions;

namespace Exhunt.Exposure;

/// <summary>
/// Reads an installed-update name — "Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)",
/// as the registry's Updates\Exchange 2016\*\PackageName, the Uninstall DisplayName, MSI logs and MsiInstaller
/// events write it (facts: exchange-fingerprint.md §1 rows 2, 3, 5) — and maps KB plus CU to a build of the table.
/// An MSI trace may name the target build after the KB ("(KB5019758) 15.2.1118.20"); that build is taken as is.
/// </summary>
public static partial class UpdateRecordText
{
    [GeneratedRegex(@"(?:Security|Hotfix|Interim)?\s*Update\s+for\s+(?:Microsoft\s+)?Exchange\s+Server\s+(2013|2016|2019|Subscription\s+Edition)\s*(?:Cumulative\s+Update\s+(\d{1,2})|CU\s?(\d{1,2})|(Service\s+Pack\s+1|SP1)|RTM)?\s*\((KB\d{6,8})\)(?:\s+(15\.\d{1,2}\.\d{1,5}\.\d{1,5}))?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex UpdateName();

    public sealed record UpdateRecord(string Text, ExchangeBuild Build, string Update);

    /// <summary>The update a line names, resolved to a build, or null.</summary>
    public static UpdateRecord? Find(string line, ExposureTables tables)
    {
        if (line.IndexOf("Exchange", StringComparison.OrdinalIgnoreCase) < 0) return null;
        Match m;
        try { m = UpdateName().Match(line); }
        catch (RegexMatchTimeoutException) { return null; }
        if (!m.Success) return null;
        var product = m.Groups[1].Value.StartsWith("Sub", StringComparison.OrdinalIgnoreCase) ? "SE" : m.Groups[1].Value;
        var cu = m.Groups[2].Success ? "CU" + int.Parse(m.Groups[2].Value)
            : m.Groups[3].Success ? "CU" + int.Parse(m.Groups[3].Value)
            : m.Groups[4].Success ? "SP1" : null;
        var kb = m.Groups[5].Value.ToUpperInvariant();
        var text = m.Value.Trim();
        if (m.Groups[6].Success && ExchangeBuild.TryParse(m.Groups[6].Value, out var explicitBuild))
            return new UpdateRecord(text, explicitBuild, $"{kb} {explicitBuild}");
        var rows = tables.Builds.Where(r => r.Product == product && string.Equals(r.Kb, kb, StringComparison.OrdinalIgnoreCase)
            && (cu is null || r.Cu == cu)).ToList();
        // One KB often covers several CUs; without the CU in the name, only an unambiguous KB is taken.
        if (rows.Count == 0 || rows.Select(r => r.Cu).Distinct().Count() > 1) return null;
        var row = rows.MaxBy(r => r.Build)!;
        return new UpdateRecord(text, row.Build, row.UpdateName);
    }
}
