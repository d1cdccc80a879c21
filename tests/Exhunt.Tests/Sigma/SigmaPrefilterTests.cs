using Exhunt.Detection;
using Exhunt.Detection.Sigma;
using Exhunt.Readers;
using Exhunt.Readers.Evtx;
using Exhunt.Tests.Support;
using Xunit.Abstractions;
using static Exhunt.Tests.Sigma.SigmaTestKit;

namespace Exhunt.Tests.Sigma;

/// <summary>The event prefilter: the necessary-literal analysis on tricky forms, the automaton's case folding, and the
/// same hits with the prefilter on and off (unit cases and the full SigmaHQ Windows set over the EVTX corpus).</summary>
public class SigmaPrefilterTests(ITestOutputHelper output)
{
    private static Need? NeedOf(string detection)
    {
        var set = Rule(detection);
        return SigmaNeeds.Of(set.Compiled[0].Node);   // process_creation compiles for Sysmon 1 and Security 4688 alike
    }

    private static string[] Literals(Need? need) =>
        need is null ? [] : need.Items.Select(i => $"{i.Field?.Name ?? "*"}:{i.Literal}").Order(StringComparer.Ordinal).ToArray();

    [Theory]
    // NOT needs nothing; AND NOT keeps the positive side's literals.
    [InlineData("    sel:\n        CommandLine|contains: 'alpha'\n    condition: not sel\n", "")]
    [InlineData("    sel:\n        CommandLine|contains: 'alpha'\n    filter:\n        User: 'bob'\n    condition: sel and not filter\n", "CommandLine:alpha")]
    // OR of a search with literals and one without (regex) needs nothing.
    [InlineData("    sel_a:\n        CommandLine|contains: 'alpha'\n    sel_b:\n        CommandLine|re: 'be+ta'\n    condition: 1 of sel_*\n", "")]
    // all of: the most selective (longest) literal.
    [InlineData("    sel_a:\n        CommandLine|contains: 'ab'\n    sel_b:\n        Image|endswith: '\\longer.exe'\n    condition: all of sel_*\n", "Image:\\longer.exe")]
    // 1 of: every search's literals.
    [InlineData("    sel_a:\n        CommandLine|contains: 'alpha'\n    sel_b:\n        Image|endswith: '\\b.exe'\n    condition: 1 of sel_*\n", "CommandLine:alpha,Image:\\b.exe")]
    // Keywords search every value.
    [InlineData("    keywords:\n        - 'mimikatz'\n        - 'sekurlsa'\n    condition: keywords\n", "*:mimikatz,*:sekurlsa")]
    // |all: one literal is enough (the longest).
    [InlineData("    sel:\n        CommandLine|contains|all:\n            - ' -a '\n            - 'vssadmin'\n    condition: sel\n", "CommandLine:vssadmin")]
    // fieldref, re, exists, null, neq, cidr, numbers: nothing.
    [InlineData("    sel:\n        CommandLine|fieldref: Image\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine|re: 'alpha'\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine|exists: true\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine: null\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine:\n            - null\n            - 'x.exe'\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine|neq: 'alpha'\n    condition: sel\n", "")]
    [InlineData("    sel:\n        SourceIp|cidr: '10.0.0.0/8'\n    condition: sel\n", "")]
    [InlineData("    sel:\n        Level|gt: 3\n    condition: sel\n", "")]
    // A bare '*' and an empty value accept values without a literal.
    [InlineData("    sel:\n        CommandLine:\n            - '*'\n            - 'alpha'\n    condition: sel\n", "")]
    [InlineData("    sel:\n        CommandLine: ''\n    condition: sel\n", "")]
    // cased: the literal still gates (ordinal implies ignore-case).
    [InlineData("    sel:\n        CommandLine|cased|contains: 'AbC'\n    condition: sel\n", "CommandLine:AbC")]
    // Wildcards inside: the longest literal run.
    [InlineData("    sel:\n        CommandLine: 'ab*powershell?x'\n    condition: sel\n", "CommandLine:powershell")]
    // Non-ASCII literals: their longest ASCII run.
    [InlineData("    sel:\n        CommandLine|contains: 'ünïcode'\n    condition: sel\n", "CommandLine:code")]
    [InlineData("    sel:\n        CommandLine|contains: 'üï'\n    condition: sel\n", "")]
    public void Necessary_literals(string detection, string expected)
    {
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(',').Order(StringComparer.Ordinal).ToArray(), Literals(NeedOf(detection)));
    }

    [Fact]
    public void Windash_and_base64offset_give_every_variant()
    {
        var windash = Literals(NeedOf("    sel:\n        CommandLine|windash|contains: ' -enc '\n    condition: sel\n"));
        // '-' and '/' as written; the three dashes outside ASCII leave their longest ASCII run, "enc ".
        Assert.Equal(["CommandLine: -enc ", "CommandLine: /enc ", "CommandLine:enc "], windash);
        var b64 = Literals(NeedOf("    sel:\n        CommandLine|base64offset|contains: 'http://'\n    condition: sel\n"));
        Assert.Equal(3, b64.Length);
        Assert.Contains("CommandLine:aHR0cDovL", b64);
    }

    [Fact]
    public void Fold_table_agrees_with_ordinal_ignore_case()
    {
        var fold = LiteralAutomaton.Fold;
        Span<char> a = stackalloc char[1];
        Span<char> b = stackalloc char[1];
        for (var c = 0; c < 65536; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            a[0] = (char)c;
            for (var x = 1; x < 128; x++)
            {
                b[0] = (char)x;
                var equal = MemoryExtensions.Equals(a, b, StringComparison.OrdinalIgnoreCase);
                Assert.True(equal == (fold[c] == fold[x] && fold[c] != 0), $"U+{c:X4} vs U+{x:X4}");
            }
        }
    }

    [Fact]
    public void Automaton_reports_exactly_the_literals_contained()
    {
        var random = new Random(7);
        const string alphabet = "abAB\\.-_ kK\u212A\u017Fsſİı";
        string Word(int max) => new(Enumerable.Range(0, random.Next(1, max)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        for (var round = 0; round < 200; round++)
        {
            var literals = Enumerable.Range(0, random.Next(1, 30)).Select(_ => Word(5)).Where(SigmaNeeds.Usable)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (literals.Count == 0) continue;
            var automaton = new LiteralAutomaton(literals);
            for (var t = 0; t < 20; t++)
            {
                var text = Word(40);
                var sink = new Collect { Found = new HashSet<int>() };
                automaton.Search(text, ref sink);
                for (var i = 0; i < literals.Count; i++)
                    Assert.True(text.Contains(literals[i], StringComparison.OrdinalIgnoreCase) == sink.Found.Contains(i), $"'{literals[i]}' in '{text}'");
            }
        }
    }

    private struct Collect : IHitSink
    {
        public HashSet<int> Found;
        public void Hit(int literal) => Found.Add(literal);
    }

    [Theory]
    [InlineData("C:\\Windows\\System32\\cmd.exe", "/c whoami", true)]
    [InlineData("C:\\Windows\\System32\\CMD.EXE", "/c WHOAMI", true)]
    [InlineData("C:\\Windows\\System32\\cmd.exe", "/c dir", false)]
    [InlineData("C:\\Windows\\System32\\notepad.exe", "/c whoami", false)]
    [InlineData("C:\\Windows\\System32\\cmd.exe", "/c \u212Aill whoami", true)]   // Kelvin sign ignore-case equals 'k'
    public void Same_answer_with_and_without_the_prefilter(string image, string commandLine, bool expected)
    {
        var set = Rule("    sel:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: 'whoami'\n    kill:\n        CommandLine|contains: 'kill'\n    condition: sel or (kill and sel)\n");
        var e = Process(("Image", image), ("CommandLine", commandLine));
        set.UseEventPrefilter = false;
        Assert.Equal(expected, Matches(set, e));
        set.UseEventPrefilter = true;
        Assert.Equal(expected, Matches(set, e));
    }

    [Fact]
    public void Matching_an_event_allocates_nothing_when_no_rule_fires()
    {
        var set = Rule("    sel:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains|all:\n            - 'whoami'\n            - '/all'\n    kw:\n        - 'mimikatz'\n    num:\n        EventID: 1\n        CommandLine|startswith: 'powershell'\n    condition: sel or kw or num\n");
        var e = Process(("Image", "C:\\Windows\\System32\\cmd.exe"), ("CommandLine", "cmd /c whoami /groups"), ("User", "alice"));
        var context = new ScanContext();
        var origin = new EventOrigin("test.evtx", 1);
        for (var i = 0; i < 10; i++) set.Inspect(e, origin, context);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) set.Inspect(e, origin, context);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Empty(context.Findings.Snapshot());
    }

    [SkippableFact]
    public void Full_windows_set_gives_the_same_hits_on_the_evtx_corpus_with_and_without_the_prefilter()
    {
        var root = SigmaCorpus.Full();
        var evtx = Corpus.Path_("evtx");
        var set = SigmaLoader.Load([Path.Combine(root, "rules", "windows"), Path.Combine(root, "rules-threat-hunting", "windows")]);
        var events = new List<(WinEvent Event, EventOrigin Origin)>();
        foreach (var file in Directory.EnumerateFiles(evtx, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                using var s = File.OpenRead(file);
                EvtxReader.Read(s, new ReaderStats(), (e, record) => events.Add((e, new EventOrigin(Path.GetFileName(file), record))));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or EvtxFormatException) { }
        }
        List<string> Run(bool prefilter)
        {
            set.UseEventPrefilter = prefilter;
            var context = new ScanContext();
            foreach (var (e, origin) in events) set.Inspect(e, origin, context);
            return context.Findings.Snapshot().Select(f => $"{f.Rule.Id} {f.Artifact} {f.Record} {f.Evidence}").Order(StringComparer.Ordinal).ToList();
        }
        var without = Run(false);
        var with = Run(true);
        output.WriteLine($"{set.Report.Loaded} rules, {events.Count} events, {without.Count} hits without the prefilter, {with.Count} with; " +
            $"{set.EventPrefilter.Gated.Count(g => g)} of {set.EventPrefilter.Gated.Length} rules gated");
        Assert.True(without.Count > 1000, $"{without.Count} hits");
        Assert.Equal(without, with);
    }
}

/// <summary>Webserver rules as two log rules: those with raw-line needles see only lines holding one, the others every line.</summary>
public class SigmaWebNeedleTests
{
    private const string IisHeader = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";
    private const string IisPath = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";

    [Theory]
    [InlineData("Fuzz Faster U Fool", "Faster")]
    [InlineData("=C:/Program%20Files", "=C:/Program%20Files")]   // readers do not URL-decode: escapes are in the raw line
    [InlineData("/ecp/?x=1,2", "/ecp/")]
    [InlineData("a+b c", null)]
    [InlineData("new+java.", "java.")]
    public void Raw_line_runs(string literal, string? run) => Assert.Equal(run, StringMatcher.RawRun(literal));

    [SkippableFact]
    public void A_rule_without_needles_sees_every_line_and_the_others_keep_theirs()
    {
        var sigma = SigmaLoader.LoadText(
            "title: Shell UA\nid: 5f4cd1e3-0000-4000-8000-000000000010\nlevel: high\nlogsource:\n    category: webserver\n" +
            "detection:\n    sel:\n        cs-user-agent|contains: 'Fuzz Faster U Fool'\n        cs-method: 'GET'\n    condition: sel\n" +
            "---\n" +
            "title: Any POST\nid: 5f4cd1e3-0000-4000-8000-000000000011\nlevel: low\nlogsource:\n    category: webserver\n" +
            "detection:\n    sel:\n        cs-method|re: '^P[O]ST$'\n    condition: sel\n");
        Assert.Equal(2, sigma.Report.Loaded);
        Assert.Equal(2, sigma.WebRuleCount);
        Assert.Equal(1, sigma.WebRulesEveryLine);
        var rules = sigma.AddTo(RuleSet.BuiltIn());
        var route = rules.LogRouteFor(Exhunt.Evidence.ArtifactKind.Iis);
        Assert.Single(route.EveryLineRules.OfType<SigmaWebRules>());
        Assert.Contains("Faster", route.Prefilter!.Needles, StringComparer.OrdinalIgnoreCase);
        var text = IisHeader +
            "2021-03-03 04:12:55 10.0.0.5 GET /owa/ - 443 - 198.51.100.23 Fuzz+Faster+U+Fool/v2.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:56 10.0.0.5 POST /ecp/y.js - 443 - 198.51.100.24 Mozilla/5.0 - 200 0 0 62\n" +
            "2021-03-03 04:12:57 10.0.0.5 GET /owa/ - 443 - 198.51.100.25 Mozilla/5.0 - 200 0 0 62\n";
        var findings = LogLines.Detect(IisPath, text, rules: rules);   // asserts prefilter on and off agree
        Assert.Equal(["sigma:5f4cd1e3-0000-4000-8000-000000000010", "sigma:5f4cd1e3-0000-4000-8000-000000000011"],
            findings.Where(f => f.Rule.Id.StartsWith("sigma:", StringComparison.Ordinal)).Select(f => f.Rule.Id).Order(StringComparer.Ordinal));
    }
}
