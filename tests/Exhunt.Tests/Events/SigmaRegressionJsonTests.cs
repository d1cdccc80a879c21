using System.Text;
using System.Text.Json;
using Exhunt.Detection;
using Exhunt.Readers;
using Exhunt.Readers.EventJson;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Events;

/// <summary>
/// SigmaHQ regression events (evtx_dump JSON, pretty-printed) compacted to one line each and read by the JSON reader:
/// checks the one-line evtx_dump mapping on real exports and the LSASS dump-file rule on Sigma's own positives.
/// </summary>
public class SigmaRegressionJsonTests
{
    private static List<string> ReadAndDetect(string relative, out WinEvent evt)
    {
        var json = File.ReadAllText(Corpus.Path_("sigma/regression_data/" + relative));
        using var doc = JsonDocument.Parse(json);
        var line = JsonSerializer.Serialize(doc.RootElement) + "\n";
        var events = new List<WinEvent>();
        var stats = new ReaderStats();
        JsonEventReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(line)), stats, (e, _) => events.Add(e));
        evt = Assert.Single(events);
        var context = new ScanContext();
        foreach (var rule in EventFixtures.Rules) rule.Inspect(evt, new EventOrigin(relative, 1), context);
        return context.Findings.Snapshot().Select(f => f.Rule.Id).ToList();
    }

    [SkippableFact]
    public void Taskmgr_lsass_dump_file()
    {
        var ids = ReadAndDetect("rules/windows/file/file_event/file_event_win_taskmgr_lsass_dump/69ca12af-119d-44ed-b50f-a47af0ebc364.json", out var e);
        Assert.Equal("Microsoft-Windows-Sysmon", e.Provider);
        Assert.Equal(11, e.EventId);
        Assert.Equal(53968UL, e.RecordId);
        Assert.Equal(["evt-lsass-dump-file"], ids);
    }

    [SkippableFact]
    public void Cmd_writing_lsass_dmp()
    {
        Assert.Equal(["evt-lsass-dump-file"], ReadAndDetect("rules/windows/file/file_event/file_event_win_dump_file_susp_creation/aba15bdd-657f-422a-bab3-ac2d2a0d6f1c.json", out _));
    }

    [SkippableFact]
    public void Findstr_lsass_is_not_a_dump()
    {
        Assert.Empty(ReadAndDetect("rules/windows/process_creation/proc_creation_win_findstr_lsass/fe63010f-8823-4864-a96b-a7b4a0f7b929.json", out var e));
        Assert.Equal("findstr  lsass", e.Get("CommandLine"));
    }
}
