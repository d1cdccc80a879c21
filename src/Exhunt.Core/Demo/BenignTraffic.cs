namespace Exhunt.Demo;

/// <summary>
/// One day of ordinary Exchange traffic: Outlook (MAPI, autodiscover, EWS), phones (ActiveSync), browsers (OWA, ECP),
/// admins (ECP, remote PowerShell), Exchange's own health probes, other apps on EWS, and requests the DAG partner's
/// front end proxies to this back end. Each request is written where Exchange writes it: the HttpProxy log of its
/// protocol, W3SVC1 (front end) and, when the mailbox lives here, W3SVC2 (back end). Streams everything; the only
/// state is the day's open files.
/// </summary>
internal sealed class BenignTraffic
{
    // UTC hour weights: a working day in central Europe, a trickle at night.
    private static readonly double[] HourWeight = [0.6, 0.4, 0.4, 0.4, 0.5, 1.0, 3.0, 6.5, 8.0, 8.0, 7.5, 7.0, 7.5, 8.0, 7.5, 6.5, 4.5, 3.0, 2.5, 2.0, 1.8, 1.5, 1.0, 0.8];
    private static readonly string[] Protocols = ["Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Owa", "PowerShell"];

    private static readonly string[] OwaActions = ["GetConversationItems", "FindConversation", "GetItem", "FindItem", "GetFolderMruConfiguration", "GetOwaUserConfiguration", "SubscribeToNotification", "GetCalendarView", "UpdateItem", "CreateItem", "GetAttachmentDataProviders", "LogDatapoint"];
    private static readonly string[] EwsActions = ["GetUserAvailability", "FindItem", "GetItem", "GetFolder", "SyncFolderItems", "Subscribe", "GetStreamingEvents", "GetUserOofSettings"];
    private static readonly string[] EasCommands = ["Ping", "Ping", "Ping", "Sync", "Sync", "FolderSync", "ItemOperations", "SendMail", "GetItemEstimate"];
    private static readonly string[] AdminCmdlets = ["Get-Mailbox", "Get-MailboxDatabaseCopyStatus", "Get-ExchangeServer", "Get-MailboxStatistics", "Get-Queue", "Get-ReceiveConnector", "Set-Mailbox", "Get-TransportService", "Get-DistributionGroupMember"];
    private static readonly string[] LogonResources =
    [
        "/owa/auth/" + DemoOrg.VersionDotted + "/themes/resources/logon.css",
        "/owa/auth/" + DemoOrg.VersionDotted + "/themes/resources/favicon.ico",
        "/owa/auth/Current/themes/resources/owafont_ja.css",
        "/owa/auth/" + DemoOrg.VersionDotted + "/scripts/premium/flogon.js",
    ];
    private const string MacOutlook = "MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.2 (Build 20D80))";
    private const string EwsApp = "ExchangeServicesClient/15.00.0913.015";
    private const string ProbeUa = "AMProbe/Local/ClientAccess";

    private readonly DemoOrg _org;
    private readonly DemoOptions _options;
    private readonly DemoScript _script;
    private readonly DemoOutput _out;
    private readonly DateTime _day;
    private readonly DemoRandom _r;
    private readonly ProxyRow _row = new();
    private readonly LogSink?[] _proxy = new LogSink?[Protocols.Length];
    private readonly string[] _canary;
    private readonly string _ewsAppUser;
    private readonly Dictionary<Guid, string> _cookie;
    private LogSink? _w3svc1, _w3svc2, _ecp, _rps;
    private DateTime _hour;

    public BenignTraffic(DemoOrg org, DemoOptions options, DemoScript script, DemoOutput output, int dayIndex)
    {
        _org = org;
        _options = options;
        _script = script;
        _out = output;
        _day = options.Start.Date.AddDays(dayIndex);
        _r = new DemoRandom(options.Seed, 1000 + dayIndex);
        // ECP canaries last a session; one per user per day is close enough.
        _canary = new string[org.Users.Count + org.Admins.Count];
        for (var i = 0; i < _canary.Length; i++) _canary[i] = DemoIntrusion.Canary(_r);
        _ewsAppUser = DemoOrg.NetBios + "\\svc.crm";
        // Back-end cookies carry the database and an expiry a month out.
        _cookie = org.Databases.ToDictionary(d => d, d => "Database~" + d + "~~" + _day.AddDays(30).AddHours(7).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Write()
    {
        _w3svc1 = OpenDaily(DemoPaths.Iis(1, _day), DemoLogKind.Iis);
        _w3svc2 = OpenDaily(DemoPaths.Iis(2, _day), DemoLogKind.Iis);
        _ecp = OpenDaily(DemoPaths.EcpServer(_day), DemoLogKind.EcpServer);
        _rps = OpenDaily(DemoPaths.RpsCmdlet(_day), DemoLogKind.RpsCmdlet);
        var recycleHour = _r.Next(1, 5);
        var total = HourWeight.Sum();
        for (var h = 0; h < 24; h++)
        {
            _hour = _day.AddHours(h);
            var n = (int)Math.Round(_options.RequestsPerDay * HourWeight[h] / total);
            var step = 3_600_000.0 / Math.Max(1, n);
            for (var i = 0; i < n; i++)
            {
                var t = _hour.AddMilliseconds((int)(i * step + _r.NextDouble() * step));
                if (h == recycleHour && i == n / 2)
                {
                    // The front-end app pool recycled: IIS starts a new header block mid-file.
                    IisFormat.Header(_w3svc1!, t);
                }
                Request(t);
            }
            for (var p = 0; p < _proxy.Length; p++) Close(ref _proxy[p], _hour.AddHours(1).AddSeconds(-1));
        }
        WriteOab();
        var end = _day.AddDays(1).AddSeconds(-1);
        Close(ref _w3svc1, end, DemoPaths.Iis(1, _day));
        Close(ref _w3svc2, end, DemoPaths.Iis(2, _day));
        Close(ref _ecp, end, DemoPaths.EcpServer(_day));
        Close(ref _rps, end, DemoPaths.RpsCmdlet(_day));
    }

    private LogSink OpenDaily(string path, DemoLogKind kind)
    {
        var sink = _out.Open(path, _script.Take(path));
        DemoPaths.Header(sink, kind, _day);
        return sink;
    }

    private readonly Dictionary<LogSink, string> _paths = new();

    private LogSink Proxy(string protocol)
    {
        var i = Array.IndexOf(Protocols, protocol);
        if (_proxy[i] is { } open) return open;
        var path = DemoPaths.HttpProxy(protocol, _hour);
        var sink = _out.Open(path, _script.Take(path));
        HttpProxyFormat.Header(sink, _hour);
        _paths[sink] = path;
        return _proxy[i] = sink;
    }

    private void Close(ref LogSink? sink, DateTime lastWrite, string? path = null)
    {
        if (sink is null) return;
        path ??= _paths[sink];
        sink.Dispose();
        _out.Touch(path, lastWrite);
        _paths.Remove(sink);
        sink = null;
    }

    private void Request(DateTime t)
    {
        var roll = _r.NextDouble();
        if (roll < 0.36) Mapi(t);
        else if (roll < 0.57) Eas(t);
        else if (roll < 0.69) Ews(t);
        else if (roll < 0.81) Owa(t);
        else if (roll < 0.87) Autodiscover(t);
        else if (roll < 0.905) Ecp(t);
        else if (roll < 0.915) PowerShell(t);
        else Probe(t);
        // Requests the DAG partner's front end sends to mailboxes on this back end.
        if (_r.Chance(0.12)) PartnerProxied(t);
    }

    private DemoUser User() => _org.Users[_r.Next(_org.Users.Count)];

    private void Reset(DateTime t, string protocol, DemoUser? user)
    {
        var r = _row;
        r.Time = t;
        r.RequestId = _r.NextGuid();
        r.ClientRequestId = null;
        r.Protocol = protocol;
        r.UrlHost = DemoOrg.PublicHost;
        r.ProtocolAction = null;
        r.AuthenticationType = "Negotiate";
        r.IsAuthenticated = user is not null;
        r.User = user?.Windows;
        r.AnchorMailbox = user?.SidAnchor;
        r.Status = 200;
        r.BackEndStatus = 200;
        r.ErrorCode = null;
        r.Method = "POST";
        r.ProxyAction = "Proxy";
        r.TargetServer = user is null ? DemoOrg.ServerFqdn.ToLowerInvariant() : (user.HomeServer == DemoOrg.Server ? DemoOrg.ServerFqdn : DemoOrg.PartnerFqdn).ToLowerInvariant();
        r.TargetServerVersion = DemoOrg.Version;
        r.RoutingType = "CrossRegion";
        r.RoutingHint = "WindowsIdentity";
        r.BackEndCookie = null;
        r.RequestBytes = _r.Next(0, 2400);
        r.ResponseBytes = _r.Next(200, 30000);
        r.TotalMs = _r.Skewed(25, 20000) + 2;
        r.BackendMs = Math.Max(1, r.TotalMs - _r.Next(1, 6));
        r.UrlQuery = null;
        r.GenericErrors = null;
        r.DatabaseGuid = user?.Database;
        r.UserObjectGuid = user?.ObjectGuid;
        r.GenericInfoExtra = null;
    }

    /// <summary>Writes the row to its HttpProxy log and the matching IIS lines.</summary>
    private void Emit(string clientIp, string? iisStem = null, string? iisQuery = null, string? iisUser = null, string? userAgent = null, DemoUser? user = null, bool backEnd = true)
    {
        var r = _row;
        r.ClientIp = clientIp;
        if (userAgent is not null) r.UserAgent = userAgent;
        var proxy = Proxy(r.Protocol);
        proxy.Before(r.Time);
        HttpProxyFormat.Row(proxy, r);
        var stem = iisStem ?? r.UrlStem;
        var query = iisQuery ?? (r.UrlQuery is { Length: > 1 } q ? q[1..] : null);
        _w3svc1!.Before(r.Time);
        IisFormat.Line(_w3svc1!, r.Time, DemoOrg.ServerIp, r.Method, stem, query, r.RequestId, 443, iisUser ?? r.User, clientIp, r.UserAgent, null,
            r.Status, 0, 0, r.TotalMs + 1);
        if (backEnd && r.ProxyAction is not null && (user is null || user.HomeServer == DemoOrg.Server))
        {
            _w3svc2!.Before(r.Time);
            IisFormat.Line(_w3svc2!, r.Time, DemoOrg.ServerIp, r.Method, stem, query, r.RequestId, 444, r.User ?? "-", DemoOrg.ServerIp, r.UserAgent, null,
                r.BackEndStatus ?? r.Status, 0, 0, r.BackendMs);
        }
    }

    private void Mapi(DateTime t)
    {
        var u = User();
        Reset(t, "Mapi", u);
        var nspi = _r.Chance(0.1);
        _row.UrlStem = nspi ? "/mapi/nspi/" : "/mapi/emsmdb/";
        _row.UrlQuery = u.MapiQuery;
        _row.ClientRequestId = string.Concat("R:", Braced(_r.NextGuid()), ":", Num(_r.Next(1, 40000)), nspi ? ";RT:GetProps;CI:" : ";RT:Execute;CI:", u.BracedMailbox, ":", Num(_r.Next(1, 900000)), ";CID:", u.BracedObject);
        _row.AnchorMailbox = u.MailboxAnchor;
        _row.RoutingHint = "MailboxGuidWithDomain";
        _row.BackEndCookie = _cookie[u.Database];
        _row.TotalMs = _r.Chance(0.1) ? _r.Next(30000, 300000) : _row.TotalMs; // hanging NotificationWait
        _row.BackendMs = Math.Max(1, _row.TotalMs - 3);
        Emit(u.DesktopIp, userAgent: u.OutlookUa, user: u);
    }

    private static string Braced(Guid g) => string.Create(38, g, (span, guid) =>
    {
        guid.TryFormat(span, out _, "B");
        for (var i = 0; i < span.Length; i++) if (span[i] is >= 'a' and <= 'f') span[i] = (char)(span[i] - 32);
    });

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Eas(DateTime t)
    {
        var u = User();
        if (u.PhoneUa is null) { Mapi(t); return; }
        Reset(t, "Eas", u);
        var cmd = _r.Pick(EasCommands);
        _row.UrlStem = "/Microsoft-Server-ActiveSync/default.eas";
        _row.UrlQuery = "?Cmd=" + cmd + "&User=" + u.Sam + "&DeviceId=" + u.DeviceId + "&DeviceType=" + u.PhoneType;
        _row.ProtocolAction = cmd;
        _row.AuthenticationType = "Basic";
        _row.AnchorMailbox = u.SmtpAnchor;
        if (cmd == "Ping")
        {
            _row.TotalMs = _r.Next(480_000, 1_680_000);
            _row.BackendMs = _row.TotalMs - 2;
        }
        Emit(u.MobileIp, userAgent: u.PhoneUa, user: u);
    }

    private void Ews(DateTime t)
    {
        var roll = _r.NextDouble();
        if (roll < 0.12)
        {
            // A line-of-business app using the EWS Managed API with a service account.
            Reset(t, "Ews", null);
            _row.IsAuthenticated = true;
            _row.User = _ewsAppUser;
            _row.AnchorMailbox = User().SmtpAnchor;
            _row.RoutingHint = "ExplicitLogon-SMTP-Header";
            _row.UrlStem = "/EWS/Exchange.asmx";
            _row.ProtocolAction = _r.Pick(EwsActions);
            Emit("10.30.4.17", userAgent: EwsApp);
            return;
        }
        var u = User();
        Reset(t, "Ews", u);
        _row.UrlStem = "/EWS/Exchange.asmx";
        _row.ProtocolAction = _r.Pick(EwsActions);
        var ua = roll < 0.3 ? MacOutlook : u.OutlookUa;
        Emit(roll < 0.3 ? u.MobileIp : u.DesktopIp, userAgent: ua, user: u);
    }

    private void Owa(DateTime t)
    {
        var u = User();
        var roll = _r.NextDouble();
        var ip = _r.Chance(0.6) ? u.DesktopIp : u.MobileIp;
        if (roll < 0.08)
        {
            // Logon page, served by the front end itself.
            Reset(t, "Owa", null);
            _row.AuthenticationType = null;
            _row.Method = "GET";
            _row.UrlStem = "/owa/auth/logon.aspx";
            _row.UrlQuery = "?url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0";
            _row.ProxyAction = null;
            _row.TargetServer = null;
            _row.BackEndStatus = null;
            _row.RoutingType = null;
            _row.RoutingHint = null;
            Emit(ip, userAgent: u.BrowserUa);
            // The logon page pulls its theme from owa/auth/<version> and owa/auth/Current: GETs only IIS logs.
            foreach (var resource in LogonResources)
            {
                var at = t.AddMilliseconds(_r.Next(40, 400));
                IisFormat.Line(_w3svc1!, at, DemoOrg.ServerIp, "GET", resource, null, _r.NextGuid(), 443, null, ip, u.BrowserUa,
                    "https://" + DemoOrg.PublicHost + "/owa/auth/logon.aspx?url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0", _r.Chance(0.7) ? 304 : 200, 0, 0, _r.Next(0, 15));
            }
            return;
        }
        if (roll < 0.13)
        {
            Reset(t, "Owa", null);
            _row.AuthenticationType = null;
            _row.UrlStem = "/owa/auth.owa";
            _row.Status = 302;
            _row.BackEndStatus = null;
            _row.ProxyAction = null;
            _row.TargetServer = null;
            _row.RoutingType = null;
            _row.RoutingHint = null;
            Emit(ip, userAgent: u.BrowserUa);
            return;
        }
        Reset(t, "Owa", u);
        _row.AuthenticationType = "Forms";
        if (roll < 0.25)
        {
            _row.Method = "GET";
            _row.UrlStem = "/owa/";
        }
        else if (roll < 0.4)
        {
            _row.Method = "POST";
            _row.UrlStem = "/owa/ev.owa2";
            _row.UrlQuery = "?ns=PendingRequest&ev=PendingNotificationRequest&UA=0&cid=" + _r.NextGuid() + "&X-OWA-CANARY=" + _canary[_r.Next(_canary.Length)];
            _row.ProtocolAction = "PendingNotificationRequest";
            _row.TotalMs = _r.Next(60_000, 300_000);
            _row.BackendMs = _row.TotalMs - 3;
        }
        else
        {
            var action = _r.Pick(OwaActions);
            _row.UrlStem = "/owa/service.svc";
            _row.UrlQuery = "?action=" + action + "&EP=1&ID=-" + _r.Next(10, 300) + "&AC=1";
            _row.ProtocolAction = action;
        }
        Emit(ip, userAgent: u.BrowserUa, user: u);
    }

    private void Autodiscover(DateTime t)
    {
        var u = User();
        Reset(t, "Autodiscover", u);
        if (_r.Chance(0.35) && u.PhoneUa is not null)
        {
            // Outlook mobile and new Outlook builds ask autodiscover.json with the user's address in the path.
            _row.Method = "GET";
            _row.UrlStem = "/autodiscover/autodiscover.json/v1.0/" + u.Smtp;
            _row.UrlQuery = "?Protocol=ActiveSync&RedirectCount=1";
            _row.AuthenticationType = null;
            _row.IsAuthenticated = false;
            _row.User = null;
            _row.AnchorMailbox = u.SmtpAnchor;
            _row.RoutingHint = "Url";
            Emit(u.MobileIp, userAgent: u.PhoneUa);
            return;
        }
        _row.UrlStem = "/autodiscover/autodiscover.xml";
        _row.AnchorMailbox = u.SmtpAnchor;
        Emit(u.DesktopIp, userAgent: u.OutlookUa, user: u);
    }

    private void Ecp(DateTime t)
    {
        var admin = _r.Chance(0.35);
        var u = admin ? _org.Admins[1 + _r.Next(_org.Admins.Count - 1)] : User();
        var canary = _canary[(admin ? _org.Users.Count + _org.Admins.IndexOf(u) : _org.Users.IndexOf(u)) % _canary.Length];
        Reset(t, "Ecp", u);
        _row.AuthenticationType = "Forms";
        var roll = _r.NextDouble();
        string? cmd = null;
        if (roll < 0.25)
        {
            _row.Method = "GET";
            _row.UrlStem = "/ecp/";
        }
        else if (!admin)
        {
            _row.UrlStem = "/ecp/RulesEditor/InboxRules.svc/GetList";
            _row.UrlQuery = "?msExchEcpCanary=" + canary;
            cmd = "Get-InboxRule";
        }
        else
        {
            var (schema, verb, command) = _r.Next(5) switch
            {
                0 => ("Mailboxes", "GetList", "Get-Recipient.ResultSize='500'.RecipientTypeDetails='UserMailbox'"),
                1 => ("MailboxProperties", "GetObject", "Get-Mailbox.Identity='" + User().MailboxGuid + "'"),
                2 => ("VirtualDirectory", "GetList", "Get-OwaVirtualDirectory.Server='" + DemoOrg.Server + "'"),
                3 => ("OABVirtualDirectory", "GetObject", "Get-OabVirtualDirectory.Identity='" + _org.OabVirtualDirectory + "'"),
                _ => ("MessageTrace", "GetList", "Get-MessageTrackingLog.ResultSize='1000'"),
            };
            _row.UrlStem = "/ecp/DDI/DDIService.svc/" + verb;
            _row.UrlQuery = "?schema=" + schema + "&msExchEcpCanary=" + canary;
            cmd = command;
        }
        Emit(u.DesktopIp, userAgent: u.BrowserUa, user: u);
        if (cmd is not null)
        {
            _ecp!.Before(t);
            ExchangeLogFormats.EcpLine(_ecp!, t.AddMilliseconds(-1), ExchangeLogFormats.EcpEventData(_row.BackendMs, _r.NextGuid(), cmd, _row.UrlStem + _row.UrlQuery, _r.NextGuid()));
        }
    }

    private void PowerShell(DateTime t)
    {
        var u = _org.Admins[1 + _r.Next(_org.Admins.Count - 1)];
        Reset(t, "PowerShell", u);
        _row.AuthenticationType = "Kerberos";
        _row.UrlHost = DemoOrg.ServerFqdn.ToLowerInvariant();
        _row.UrlStem = "/powershell";
        _row.UrlQuery = "?serializationLevel=Full;ExchClientVer=" + DemoOrg.VersionDotted + ";clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.14393.4104";
        var cmdlet = _r.Pick(AdminCmdlets);
        _row.ProtocolAction = cmdlet + ":Command";
        Emit(u.DesktopIp, userAgent: "Microsoft WinRM Client", user: u);
        _rps!.Before(t);
        ExchangeLogFormats.RpsCmdletLine(_rps!, _r, t, DemoOrg.AdDomain + "/Users/" + u.Sam, u.Sid, "EMS", cmdlet,
            cmdlet.StartsWith("Set-", StringComparison.Ordinal) ? "-Identity \"" + User().Smtp + "\" -ProhibitSendQuota \"49.5 GB\"" : "-ResultSize \"Unlimited\"",
            _r.Next(1, 60));
    }

    private void Probe(DateTime t)
    {
        // Managed availability probes: health mailboxes, from the server itself.
        var hm = _org.HealthMailboxes[_r.Next(_org.HealthMailboxes.Count)];
        var protocol = _r.Pick(Protocols);
        Reset(t, protocol, null);
        _row.IsAuthenticated = true;
        _row.User = hm.Smtp;
        _row.AnchorMailbox = "MailboxGuid~" + hm.MailboxGuid;
        _row.RoutingHint = "MailboxGuidWithDomain";
        _row.UrlHost = "localhost";
        (_row.Method, _row.UrlStem) = protocol switch
        {
            "Autodiscover" => ("POST", "/Autodiscover/Autodiscover.xml"),
            "Eas" => ("POST", "/Microsoft-Server-ActiveSync/Proxy/default.eas"),
            "Ecp" => ("GET", "/ecp/"),
            "Ews" => ("POST", "/EWS/Exchange.asmx"),
            "Mapi" => ("POST", "/mapi/emsmdb/"),
            "Owa" => ("GET", "/owa/"),
            _ => ("POST", "/powershell"),
        };
        if (protocol == "PowerShell")
        {
            _row.AuthenticationType = "Kerberos";
            _row.ProtocolAction = "Get-ExchangeServer:Command";
        }
        if (protocol == "Eas") _row.UrlQuery = "?Cmd=FolderSync&User=" + hm.Smtp.Split('@')[0] + "&DeviceId=ActiveSyncProbe&DeviceType=EASProbeDeviceType";
        Emit("127.0.0.1", userAgent: protocol == "PowerShell" ? "Exchange BackEnd Probes" : ProbeUa, iisUser: hm.Smtp);
    }

    private void PartnerProxied(DateTime t)
    {
        // EXCH02's front end proxies a request for a mailbox on this server: only this back end's IIS sees it.
        DemoUser u;
        do u = User(); while (u.HomeServer != DemoOrg.Server);
        var (stem, query, ua) = _r.Next(3) switch
        {
            0 => ("/mapi/emsmdb/", "MailboxId=" + u.MailboxGuid + "@" + DemoOrg.SmtpDomain, u.OutlookUa),
            1 => ("/EWS/Exchange.asmx", (string?)null, u.OutlookUa),
            _ => ("/Microsoft-Server-ActiveSync/Proxy/default.eas", "Cmd=Ping&User=" + u.Sam, u.PhoneUa ?? u.OutlookUa),
        };
        _w3svc2!.Before(t);
        IisFormat.Line(_w3svc2!, t, DemoOrg.ServerIp, "POST", stem, query, Guid.Empty, 444, u.Windows, DemoOrg.PartnerIp, ua, null, 200, 0, 0, _r.Skewed(20, 5000));
    }

    private void WriteOab()
    {
        // The OAB is generated every eight hours; one day a failed download left a temp file in the legitimate folder.
        var path = DemoPaths.OabGenerator(_day);
        using (var s = _out.Open(path, _script.Take(path))) WriteOab(s);
        _out.Touch(path, _day.AddHours(17).AddMinutes(30));
    }

    private void WriteOab(LogSink s)
    {
        DemoPaths.Header(s, DemoLogKind.OabGenerator, _day);
        foreach (var h in new[] { 1, 9, 17 })
        {
            var t = _day.AddHours(h).AddMinutes(_r.Next(0, 20)).AddMilliseconds(_r.Next(0, 60000));
            var thread = _r.Next(10, 90);
            s.Before(t);
            ExchangeLogFormats.OabLine(s, t, thread, "OABGeneratorAssistant: Processing OAB '\\Default Offline Address Book' (" + _org.OabVirtualDirectory + ")");
            t = t.AddSeconds(_r.Next(20, 200));
            if (h == 9 && _day == _options.Start.Date)
            {
                ExchangeLogFormats.OabLine(s, t, thread, "Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\" + _r.NextGuid() + "\\data.lzx' needs to be removed");
                t = t.AddMilliseconds(_r.Next(5, 900));
            }
            ExchangeLogFormats.OabLine(s, t, thread, "OABGeneratorAssistant: Finished generating OAB '\\Default Offline Address Book'; " + _r.Next(380, 420) + " address list entries, " + _r.Next(3, 40) + " changed");
        }
    }
}
