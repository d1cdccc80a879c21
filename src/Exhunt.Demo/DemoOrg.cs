namespace Exhunt.Demo;

/// <summary>One mailbox user of the demo organisation, with the clients they use.</summary>
internal sealed class DemoUser
{
    public required string Sam { get; init; }
    public required string Smtp { get; init; }
    public required string Sid { get; init; }
    public required Guid MailboxGuid { get; init; }
    public required Guid ObjectGuid { get; init; }
    public required Guid Database { get; init; }
    /// <summary>The back end holding the mailbox: this server or its DAG partner (then the front end proxies across).</summary>
    public required string HomeServer { get; init; }
    public required string DesktopIp { get; init; }
    public required string MobileIp { get; init; }
    public required string OutlookUa { get; init; }
    public required string BrowserUa { get; init; }
    /// <summary>ActiveSync user agent, or null when the user has no phone.</summary>
    public string? PhoneUa { get; init; }
    public string? PhoneType { get; init; }
    public string? DeviceId { get; init; }
    public bool IsAdmin { get; init; }
    public string Windows { get; private init; } = "";

    // Strings every request of this user repeats, built once (the generator writes millions of rows).
    public string SidAnchor { get; private init; } = "";
    public string SmtpAnchor { get; private init; } = "";
    public string MailboxAnchor { get; private init; } = "";
    public string MapiQuery { get; private init; } = "";
    public string BracedMailbox { get; private init; } = "";
    public string BracedObject { get; private init; } = "";

    public DemoUser WithDerived() => new()
    {
        Sam = Sam, Smtp = Smtp, Sid = Sid, MailboxGuid = MailboxGuid, ObjectGuid = ObjectGuid, Database = Database, HomeServer = HomeServer,
        DesktopIp = DesktopIp, MobileIp = MobileIp, OutlookUa = OutlookUa, BrowserUa = BrowserUa, PhoneUa = PhoneUa, PhoneType = PhoneType,
        DeviceId = DeviceId, IsAdmin = IsAdmin,
        Windows = DemoOrg.NetBios + "\\" + Sam,
        SidAnchor = "Sid~" + Sid,
        SmtpAnchor = "Smtp~" + Smtp,
        MailboxAnchor = "MailboxGuid~" + MailboxGuid,
        MapiQuery = "?MailboxId=" + MailboxGuid + "@" + DemoOrg.SmtpDomain,
        BracedMailbox = MailboxGuid.ToString("B").ToUpperInvariant(),
        BracedObject = ObjectGuid.ToString("B").ToUpperInvariant(),
    };
}

/// <summary>
/// The demo organisation: one Exchange 2016 CU19 front end + mailbox server (EXCH01, the collected one) and its
/// DAG partner EXCH02, a few hundred users, admins and the health mailboxes Exchange's own probes use.
/// Everything derives from the seed.
/// </summary>
internal sealed class DemoOrg
{
    public const string NetBios = "CONTOSO";
    public const string SmtpDomain = "contoso.com";
    public const string AdDomain = "contoso.local";
    public const string Server = "EXCH01";
    public const string ServerFqdn = "EXCH01.contoso.local";
    public const string ServerIp = "10.0.0.10";
    public const string Partner = "EXCH02";
    public const string PartnerFqdn = "EXCH02.contoso.local";
    public const string PartnerIp = "10.0.0.11";
    public const string PublicHost = "mail.contoso.com";
    // Exchange 2016 CU19 without the March 2021 security update: vulnerable to ProxyLogon.
    public const int Major = 15, Minor = 1, Build = 2176, Revision = 2;
    public const string Version = "15.01.2176.002";
    public const string VersionDotted = "15.1.2176.2";
    public const string DomainSid = "S-1-5-21-1721254763-462695806-1538882281";

    private static readonly string[] First =
    [
        "james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth", "william", "barbara",
        "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen", "daniel", "nancy", "matthew", "lisa",
        "anthony", "betty", "mark", "sandra", "paul", "ashley", "steven", "kimberly", "andrew", "emily", "kevin", "donna",
        "brian", "michelle", "george", "carol", "edward", "amanda", "ronald", "melissa", "timothy", "deborah", "jason", "stephanie",
        "anna", "lukas", "sofia", "jonas", "mia", "elias", "lea", "noah", "ida", "emil", "nora", "oskar", "ingrid", "henrik",
    ];

    private static readonly string[] Last =
    [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez", "hernandez",
        "lopez", "gonzalez", "wilson", "anderson", "taylor", "moore", "jackson", "martin", "lee", "thompson", "white", "harris",
        "clark", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott", "hill", "green", "adams", "nelson",
        "baker", "hall", "campbell", "mitchell", "carter", "roberts", "hansen", "johansen", "olsen", "larsen", "berg", "haugen",
    ];

    private static readonly string[] OutlookBuilds = ["16.0.13801", "16.0.13628", "16.0.13530", "16.0.12527", "16.0.11929", "15.0.5311"];

    private static readonly string[] Browsers =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.72 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36 Edg/88.0.705.81",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
    ];

    private static readonly (string Ua, string Type)[] Phones =
    [
        ("Apple-iPhone12C1/1802.67", "iPhone"),
        ("Apple-iPhone11C8/1803.75", "iPhone"),
        ("Apple-iPhone13C2/1804.44", "iPhone"),
        ("Outlook-iOS/723.4027091.prod.iphone (4.2107.0)", "Outlook"),
        ("Android-Mail/2021.01.10.352497385.release", "Android"),
        ("SAMSUNG-SM-G991B/101.100001", "SAMSUNGSMG991B"),
        ("Outlook-Android/2.0", "Outlook"),
    ];

    public Guid[] Databases { get; }
    public List<DemoUser> Users { get; } = new();
    public List<DemoUser> Admins { get; } = new();
    /// <summary>The built-in Administrator (RID 500): the account ProxyLogon impersonates by SID.</summary>
    public DemoUser Administrator { get; }
    public List<(string Smtp, string Sid, Guid MailboxGuid)> HealthMailboxes { get; } = new();
    public Guid OabVirtualDirectory { get; }

    public DemoOrg(int seed, int userCount = 400)
    {
        var r = new DemoRandom(seed, 1);
        Databases = [r.NextGuid(), r.NextGuid(), r.NextGuid(), r.NextGuid()];
        OabVirtualDirectory = r.NextGuid();
        var seen = new HashSet<string>();
        var rid = 1105;
        while (Users.Count < userCount)
        {
            var f = r.Pick(First);
            var l = r.Pick(Last);
            var sam = f + "." + l;
            if (!seen.Add(sam)) { sam += r.Next(2, 99); if (!seen.Add(sam)) continue; }
            Users.Add(NewUser(r, sam, rid++, isAdmin: false));
        }
        Administrator = NewUser(r, "Administrator", 500, isAdmin: true);
        Admins.Add(Administrator);
        Admins.Add(NewUser(r, "adm.jsmith", rid++, isAdmin: true));
        Admins.Add(NewUser(r, "adm.kolsen", rid++, isAdmin: true));
        for (var i = 0; i < 6; i++)
            HealthMailboxes.Add(("HealthMailbox" + r.Hex(32) + "@" + AdDomain, $"{DomainSid}-{rid++}", r.NextGuid()));
    }

    private DemoUser NewUser(DemoRandom r, string sam, int rid, bool isAdmin)
    {
        var phone = r.Chance(0.6) ? Phones[r.Next(Phones.Length)] : default;
        var outlook = r.Pick(OutlookBuilds);
        return new DemoUser
        {
            Sam = sam,
            Smtp = sam.ToLowerInvariant() + "@" + SmtpDomain,
            Sid = $"{DomainSid}-{rid}",
            MailboxGuid = r.NextGuid(),
            ObjectGuid = r.NextGuid(),
            Database = Databases[r.Next(Databases.Length)],
            HomeServer = r.Chance(0.75) ? Server : Partner,
            DesktopIp = $"10.20.{r.Next(1, 40)}.{r.Next(2, 250)}",
            MobileIp = PublicIp(r),
            OutlookUa = outlook.StartsWith("15.", StringComparison.Ordinal)
                ? $"Microsoft Office/15.0 (Windows NT 6.1; Microsoft Outlook {outlook}; Pro)"
                : $"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook {outlook}; Pro)",
            BrowserUa = r.Pick(Browsers),
            PhoneUa = phone.Ua,
            PhoneType = phone.Type,
            DeviceId = phone.Ua is null ? null : r.Alnum(32).ToUpperInvariant(),
            IsAdmin = isAdmin,
        }.WithDerived();
    }

    /// <summary>A carrier or home-broadband address (never one of the published attacker addresses).</summary>
    public static string PublicIp(DemoRandom r)
    {
        int[] firsts = [62, 77, 84, 88, 92, 109, 146, 176, 178, 193, 212, 217];
        return $"{r.Pick(firsts)}.{r.Next(1, 255)}.{r.Next(0, 255)}.{r.Next(1, 254)}";
    }
}
