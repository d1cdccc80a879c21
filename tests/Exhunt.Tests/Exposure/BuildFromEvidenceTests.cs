using System.Text;
using System.Text.Json;
using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Exposure;
using Exhunt.Readers;
using Exhunt.Reports;
using Exhunt.Scanning;

namespace Exhunt.Tests.Exposure;

/// <summary>The build from each kind of evidence, through the real scan (classifier, readers, rules, report).</summary>
public sealed class BuildFromEvidenceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("exhunt-exposure-").FullName;
    private const string V15 = "C/Program Files/Microsoft/Exchange Server/V15";

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, byte[] bytes)
    {
        var full = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    private void Write(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    private ScanResult Scan() => new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(_root);

    private static ExposureAssessment Only(ScanResult r)
    {
        Assert.NotNull(r.Exposure);
        return Assert.Single(r.Exposure!.Hosts);
    }

    [Fact]
    public void ExSetup_exe_version_resource_gives_the_exact_build()
    {
        Write($"{V15}/Bin/ExSetup.exe", PeFixture.Build(15, 1, 2176, 2));
        Write($"{V15}/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes/resources/favicon.ico", "ico");
        var a = Only(Scan());
        Assert.Equal("15.1.2176.2", a.Build.ToString());
        Assert.Equal(BuildPrecision.Exact, a.Precision);
        Assert.EndsWith("Bin/ExSetup.exe", a.Artifact);
        Assert.Contains("ExSetup.exe version resource", a.How);
        Assert.Contains(a.OpenCves, c => c.Cve == "CVE-2021-26855" && c.Certain);
        Assert.Contains(a.OtherObservations, o => o.Precision == BuildPrecision.Cu);
    }

    [Fact]
    public void ExSetup_exe_inside_a_zip_collection_is_read_too()
    {
        var zip = Path.Combine(_root, "collection.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var s = archive.CreateEntry($"{V15}/Bin/ExSetup.exe").Open();
            s.Write(PeFixture.Build(15, 2, 1118, 20));
        }
        var r = new Scanner(new ScanOptions { MaxParallelism = 2 }).Scan(zip);
        var a = Assert.Single(r.Exposure!.Hosts);
        Assert.Equal(("15.2.1118.20", BuildPrecision.Exact, "2019 CU12 Nov22SU"), (a.Build.ToString(), a.Precision, a.Label));
        Assert.DoesNotContain(a.OpenCves, c => c.Cve == "CVE-2022-41082");
    }

    [Fact]
    public void Hostile_update_records_and_paths_give_no_build_and_no_crash()
    {
        var junk = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(junk);
        Write("registry/huge.reg", junk);
        Write("registry/one-line.reg", new string('A', 2_000_000) + "Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)");
        Write("registry/unknown-kb.reg", "\"PackageName\"=\"Security Update for Exchange Server 2016 Cumulative Update 19 (KB9999999)\"\r\n");
        Write($"{V15}/FrontEnd/HttpProxy/owa/auth/99.1.2176/x.css", "x");
        Write($"{V15}/FrontEnd/HttpProxy/owa/auth/15.1.99999999999/x.css", "x");
        var r = Scan();
        Assert.Empty(r.Exposure!.Hosts);
        Assert.All(r.Artifacts, a => Assert.DoesNotContain(a.Stats.Errors, e => e.Contains("internal error")));
    }

    [Fact]
    public void A_non_exchange_pe_named_ExSetup_exe_gives_no_build()
    {
        Write("Bin/ExSetup.exe", PeFixture.Build(10, 0, 100, 1, productName: "Some other product"));
        Write("Bin2/ExSetup.exe", PeFixture.Build(15, 1, 2176, 2, productName: "Contoso Setup"));
        var r = Scan();
        Assert.Empty(r.Exposure!.Hosts);
        Assert.Null(r.Exposure.Worst);
    }

    [Fact]
    public void Registry_export_of_installed_updates_gives_the_newest_update()
    {
        var reg = "Windows Registry Editor Version 5.00\r\n\r\n"
            + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\Exchange 2016\\KB5000871]\r\n"
            + "\"PackageName\"=\"Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)\"\r\n"
            + "\"InstalledDate\"=\"3/3/2021\"\r\n\r\n"
            + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\Exchange 2016\\KB5001779]\r\n"
            + "\"PackageName\"=\"Security Update for Exchange Server 2016 Cumulative Update 19 (KB5001779)\"\r\n";
        Write("registry/updates.reg", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(reg)]);
        var a = Only(Scan());
        Assert.Equal("15.1.2176.12", a.Build.ToString());
        Assert.Equal("CU19 Apr21SU", a.Update);
        Assert.Equal(BuildPrecision.Exact, a.Precision);
        Assert.Contains("KB5001779", a.How);
        Assert.Null(a.OpenCves.SingleOrDefault(c => c.Cve == "CVE-2021-34473"));
        Assert.NotNull(a.OpenCves.SingleOrDefault(c => c.Cve == "CVE-2021-31207"));
    }

    [Fact]
    public void Update_log_counts_installed_updates_not_failed_ones()
    {
        Write($"{V15}/Logging/Update/msi/ExchangeUpdate_20221110.log",
            "MSI (s) (A0:B4) [10:00:01:000]: Product: Microsoft Exchange Server - Update 'Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758) 15.2.1118.20' could not be installed. Error code 1603.\r\n"
            + "MSI (s) (A0:B4) [10:30:01:000]: Product: Microsoft Exchange Server - Update 'Security Update for Exchange Server 2019 Cumulative Update 12 (KB5014261) 15.2.1118.9' installed successfully.\r\n");
        var a = Only(Scan());
        Assert.Equal("15.2.1118.9", a.Build.ToString());
        Assert.Contains(a.OpenCves, c => c.Cve == "CVE-2022-41082" && c.FixedBy == "CU12 Nov22SU");
    }

    [Fact]
    public void Exchange_log_version_header_is_a_lower_bound_dated_by_its_date_line()
    {
        Write($"{V15}/Logging/HttpProxy/Owa/HttpProxy_2022110801-1.LOG",
            "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2375.007\r\n#Log-type: HttpProxy Logs\r\n#Date: 2022-11-08T01:00:00.000Z\r\n"
            + "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,UrlQuery,GenericInfo,GenericErrors\r\n");
        Write($"{V15}/Logging/ECP/Server/ECPServer20221108-1.LOG",
            "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: ECP Server Log\r\n#Date: 2022-11-08T01:00:00.000Z\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n");
        var a = Only(Scan());
        Assert.Equal("15.1.2375.7", a.Build.ToString());
        Assert.Equal(BuildPrecision.LowerBound, a.Precision);
        Assert.Contains("#Version header", a.How);
        Assert.Equal(new DateTime(2022, 11, 8, 1, 0, 0, DateTimeKind.Utc), a.LastSeen);
    }

    [Fact]
    public void Owa_auth_folder_is_cu_level_and_prem_folder_a_lower_bound()
    {
        Write($"{V15}/FrontEnd/HttpProxy/owa/auth/15.2.792/themes/resources/favicon.ico", "ico");
        Write($"{V15}/FrontEnd/HttpProxy/owa/auth/15.2.721/themes/resources/favicon.ico", "ico");
        var a = Only(Scan());
        Assert.Equal("15.2.792", a.Build.ToString());
        Assert.Equal(BuildPrecision.Cu, a.Precision);
        Assert.Equal("2019 CU8, update level not visible", a.Label);
        Assert.Contains(a.OpenCves, c => c.Cve == "CVE-2021-26855" && !c.Certain);
        Assert.EndsWith("owa/auth/15.2.792/", a.Artifact);

        Write($"{V15}/ClientAccess/Owa/prem/15.2.792.10/scripts/boot.js", "js");
        var b = Only(Scan());
        Assert.Equal("15.2.792.10", b.Build.ToString());
        Assert.Equal(BuildPrecision.LowerBound, b.Precision);
        Assert.DoesNotContain(b.OpenCves, c => c.Cve == "CVE-2021-26855");
    }

    [Fact]
    public void Iis_request_paths_give_the_served_build_and_when_it_changed()
    {
        const string header = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-01 00:00:00\r\n"
            + "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";
        Write("inetpub/logs/LogFiles/W3SVC1/u_ex210301.log", header
            + "2021-03-01 08:00:00 10.0.0.5 GET /owa/auth/15.1.2176/themes/resources/favicon.ico - 443 - 10.1.1.1 Mozilla/5.0 - 200 0 0 15\r\n"
            + "2021-03-01 08:00:01 10.0.0.5 GET /owa/prem/15.1.2176.2/resources/styles/0/boot.worldwide.mouse.css - 443 - 10.1.1.1 Mozilla/5.0 - 200 0 0 15\r\n"
            + "2021-03-01 09:00:00 10.0.0.5 GET /ecp/15.1.2176.2/themes/default/clear.gif - 443 - 10.1.1.1 Mozilla/5.0 - 304 0 0 15\r\n"
            // a made-up version path the server did not serve must not count
            + "2021-03-01 09:30:00 10.0.0.5 GET /owa/prem/15.1.2507.99/x.css - 443 - 6.6.6.6 scanner - 404 0 0 15\r\n");
        Write("inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", header
            + "2021-03-05 10:00:00 10.0.0.5 GET /owa/prem/15.1.2176.9/resources/styles/0/boot.worldwide.mouse.css - 443 - 10.1.1.1 Mozilla/5.0 - 200 0 0 15\r\n");
        var a = Only(Scan());
        Assert.Equal("15.1.2176.9", a.Build.ToString());
        Assert.Equal(BuildPrecision.LowerBound, a.Precision);
        Assert.Equal(new DateTime(2021, 3, 5, 10, 0, 0, DateTimeKind.Utc), a.FirstSeen);
        Assert.Contains(a.Notes, n => n.Contains("served build changed from 15.1.2176.2") && n.Contains("2021-03-05 10:00"));
        Assert.DoesNotContain(a.OtherObservations, o => o.Build.Build == 2507);
    }

    [Fact]
    public void Report_writes_exposure_at_the_top_level_and_per_host_and_says_it_on_the_console()
    {
        Write($"{V15}/Bin/ExSetup.exe", PeFixture.Build(15, 1, 2176, 2));
        var r = Scan();
        using var ms = new MemoryStream();
        JsonReport.Write(r, ms);
        using var doc = JsonDocument.Parse(ms.ToArray());
        var e = doc.RootElement.GetProperty("exposure");
        Assert.Equal("15.1.2176.2", e.GetProperty("build").GetString());
        Assert.Equal("Exchange Server 2016", e.GetProperty("product").GetString());
        Assert.Equal("CU19", e.GetProperty("update").GetString());
        Assert.Equal("exact", e.GetProperty("precision").GetString());
        Assert.EndsWith("ExSetup.exe", e.GetProperty("source").GetProperty("artifact").GetString());
        var cve = e.GetProperty("open_cves").EnumerateArray().First(c => c.GetProperty("cve").GetString() == "CVE-2021-26855");
        Assert.Equal("CU19 Mar21SU", cve.GetProperty("fixed_by").GetString());
        Assert.Equal("KB5000871", cve.GetProperty("kb").GetString());
        Assert.Equal(JsonValueKind.Array, e.GetProperty("config_checks").ValueKind);
        Assert.Equal(1, doc.RootElement.GetProperty("hosts_exposure").GetArrayLength());
        var console = new StringWriter();
        ConsoleReport.Write(r, console);
        Assert.Contains("Exposure: the build 15.1.2176.2 (2016 CU19, no security update) is still open to", console.ToString());
        Assert.Contains("including ProxyLogon: install CU19", console.ToString());
    }

    [Fact]
    public void No_build_in_the_evidence_is_said_and_json_exposure_is_null()
    {
        Write("notes.txt", "nothing here");
        var r = Scan();
        using var ms = new MemoryStream();
        JsonReport.Write(r, ms);
        using var doc = JsonDocument.Parse(ms.ToArray());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("exposure").ValueKind);
        var console = new StringWriter();
        ConsoleReport.Write(r, console);
        Assert.Contains("does not show the Exchange build", console.ToString());
    }

    [Fact]
    public void Hosts_are_kept_apart_and_the_worst_is_reported_at_the_top()
    {
        var c = new ExposureCollector();
        c.Add(new BuildObservation("EX01", ExchangeBuild.Parse("15.1.2507.66"), BuildPrecision.Exact, "a", "ExSetup"));
        c.Add(new BuildObservation("EX02", ExchangeBuild.Parse("15.1.2176.2"), BuildPrecision.Exact, "b", "ExSetup"));
        c.Add(new BuildObservation(BuildObservation.HostOrUnknown(null), ExchangeBuild.Parse("15.2.792"), BuildPrecision.Cu, "c", "folder"));
        var s = ScanExposure.From(c);
        Assert.Equal(3, s.Hosts.Count);
        Assert.Equal("ex02", s.Worst!.Host);
        Assert.Contains(s.Hosts, h => h.Host == "unknown");
        Assert.Empty(s.Hosts.Single(h => h.Host == "ex01").OpenCves);
    }

    [Fact]
    public void MsiInstaller_success_event_gives_the_build_and_failure_does_not()
    {
        var ctx = new ScanContext();
        var rule = new MsiInstallerEventRule();
        var fail = new WinEvent { Provider = "MsiInstaller", EventId = 1023, Computer = "EX01", TimeCreated = new DateTime(2022, 11, 9) };
        fail.Data.Add(new("Data1", "Microsoft Exchange Server"));
        fail.Data.Add(new("Data2", "Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758) 15.2.1118.20"));
        rule.Inspect(fail, new EventOrigin("Application.evtx", 1), ctx);
        Assert.Empty(ctx.Exposure.Snapshot());
        var ok = new WinEvent { Provider = "MsiInstaller", EventId = 1022, Computer = "EX01", TimeCreated = new DateTime(2022, 11, 10) };
        ok.Data.Add(new("Data1", "Microsoft Exchange Server"));
        ok.Data.Add(new("Data2", "Security Update for Exchange Server 2019 Cumulative Update 12 (KB5019758)"));
        rule.Inspect(ok, new EventOrigin("Application.evtx", 2), ctx);
        var o = Assert.Single(ctx.Exposure.Snapshot());
        Assert.Equal("15.2.1118.20", o.Build.ToString());
        Assert.Equal("ex01", o.Host);
    }

    [Fact]
    public void Served_build_rule_takes_the_host_from_the_log_server_field()
    {
        var ctx = new ScanContext();
        var file = new EvidenceFile("W3SVC1/u_ex.log", 1, null, () => Stream.Null) { Kind = ArtifactKind.Iis };
        var rec = LogRecord.FromValues(file, 5, new Dictionary<Field, string>
        {
            [Field.UrlStem] = "/owa/auth/15.2.1118/themes/resources/favicon.ico", [Field.Status] = "200", [Field.ServerHost] = "EX07",
        });
        new ServedBuildRule().Inspect(rec, ctx);
        var o = Assert.Single(ctx.Exposure.Snapshot());
        Assert.Equal(("ex07", "15.2.1118", BuildPrecision.Cu), (o.Host, o.Build.ToString(), o.Precision));
    }
}
