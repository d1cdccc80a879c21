namespace Exhunt.Demo;

/// <summary>The requests of each kind of client: what Outlook, phones, browsers, admins, probes and the DAG partner send.</summary>
internal sealed partial class BenignTraffic
{
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
}
