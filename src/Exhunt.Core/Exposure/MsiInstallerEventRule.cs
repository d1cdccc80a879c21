using Exhunt.Detection;
using Exhunt.Readers;

namespace Exhunt.Exposure;

/// <summary>
/// Application-log MsiInstaller events for an Exchange update: 1022 ("Update '…' installed successfully") and 1036
/// (installed an update, status 0). 1023 (could not be installed) is not a build.
/// </summary>
internal sealed class MsiInstallerEventRule : IEventRule
{
    public IReadOnlyList<int>? EventIds { get; } = [1022, 1036];
    public IReadOnlyList<string>? Providers { get; } = ["MsiInstaller"];

    public void Inspect(WinEvent evt, EventOrigin origin, ScanContext context)
    {
        if (evt.EventId is not (1022 or 1036) || !evt.Provider.Equals("MsiInstaller", StringComparison.OrdinalIgnoreCase)) return;
        if (!evt.AnyDataContains("Exchange")) return;
        var text = evt.DataText();
        if (evt.EventId == 1036 && !System.Text.RegularExpressions.Regex.IsMatch(text, @"(^|\n)0\s*($|\n)") && !UpdateRecordRule.SaysInstalled(text)) return;
        if (UpdateRecordText.Find(text, ExposureTables.BuiltIn) is not { } record) return;
        context.Exposure.Add(new BuildObservation(BuildObservation.HostOrUnknown(evt.Computer), record.Build, BuildPrecision.Exact,
            $"{origin.Artifact} record {origin.Record}", $"MsiInstaller event {evt.EventId}: {record.Text} installed", LastSeen: evt.TimeCreated));
    }
}
