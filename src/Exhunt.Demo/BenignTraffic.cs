namespace Exhunt.Demo;

/// <summary>
/// One day of ordinary Exchange traffic: Outlook (MAPI, autodiscover, EWS), phones (ActiveSync), browsers (OWA, ECP),
/// admins (ECP, remote PowerShell), Exchange's own health probes, other apps on EWS, and requests the DAG partner's
/// front end proxies to this back end. Each request is written where Exchange writes it: the HttpProxy log of its
/// protocol, W3SVC1 (front end) and, when the mailbox lives here, W3SVC2 (back end). Streams everything; the only
/// state is the day's open files.
/// </summary>
internal sealed partial class BenignTraffic
{
    // UTC hour weights: a working day in central Europe, a trickle at night.
    private static readonly double[] HourWeight = [0.6, 0.4, 0.4, 0.4, 0.5, 1.0, 3.0, 6.5, 8.0, 8.0, 7.5, 7.0, 7.5, 8.0, 7.5, 6.5, 4.5, 3.0, 2.5, 2.0, 1.8, 1.5, 1.0, 0.8];
    private static readonly string[] Protocols = ["Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Owa", "PowerShell"];

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
