namespace Exhunt.Demo;

/// <summary>One HttpProxy (CAFE front end) request, reused row after row.</summary>
internal sealed class ProxyRow
{
    public DateTime Time;
    public Guid RequestId;
    public string? ClientRequestId;
    public string Protocol = "";
    public string UrlHost = DemoOrg.PublicHost;
    public string UrlStem = "";
    public string? ProtocolAction;
    public string? AuthenticationType;
    public bool IsAuthenticated;
    public string? User;
    public string? AnchorMailbox;
    public string? UserAgent;
    public string ClientIp = "";
    public int Status = 200;
    public int? BackEndStatus = 200;
    public string? ErrorCode;
    public string Method = "GET";
    public string? ProxyAction = "Proxy";
    public string? TargetServer;
    public string? TargetServerVersion = DemoOrg.Version;
    public string? RoutingType;
    public string? RoutingHint;
    public string? BackEndCookie;
    public int RequestBytes;
    public int ResponseBytes;
    public int TotalMs;
    public int BackendMs;
    public string? UrlQuery;
    public string? GenericErrors;
    public Guid? DatabaseGuid;
    public Guid? UserObjectGuid;
    /// <summary>Raw cookie-like items appended to GenericInfo (ProxyLogon rows carry none).</summary>
    public string? GenericInfoExtra;
}

/// <summary>
/// HttpProxy log files (<c>Logging\HttpProxy\&lt;Protocol&gt;\HttpProxy_YYYYMMDDHH-N.LOG</c>): the Exchange CSV header and
/// the 74-column rows of Exchange 2016 CU19+ (facts §2.2; column order as in the real rows in the corpus).
/// </summary>
internal static class HttpProxyFormat
{
    public const string Fields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";

    public static void Header(LogSink s, DateTime fileStart)
    {
        s.Append("#Software: Microsoft Exchange Server").EndLine();
        s.Append("#Version: ").Append(DemoOrg.Version).EndLine();
        s.Append("#Log-type: HttpProxy Logs").EndLine();
        s.Append("#Date: ").AppendIso(fileStart).EndLine();
        s.Append("#Fields: ").Append(Fields).EndLine();
    }

    public static void Row(LogSink s, ProxyRow r)
    {
        var begin = r.Time.AddMilliseconds(-r.TotalMs);
        s.AppendIso(r.Time).Comma().Append(r.RequestId).Comma()
            .Append(DemoOrg.Major).Comma().Append(DemoOrg.Minor).Comma().Append(DemoOrg.Build).Comma().Append(DemoOrg.Revision).Comma()
            .Csv(r.ClientRequestId).Comma().Append(r.Protocol).Comma().Csv(r.UrlHost).Comma().Csv(r.UrlStem).Comma()
            .Csv(r.ProtocolAction).Comma().Csv(r.AuthenticationType).Comma().Append(r.IsAuthenticated ? "true" : "false").Comma()
            .Csv(r.User).Comma();
        if (r.IsAuthenticated) s.Append(DemoOrg.AdDomain);
        s.Comma().Csv(r.AnchorMailbox).Comma();
        // HttpProxy writes the user agent with its commas turned into spaces (facts §2.1).
        if (r.UserAgent is { } ua) s.AppendReplacing(ua, ',', ' ');
        s.Comma().Csv(r.ClientIp).Comma().Append(DemoOrg.Server).Comma().Append(r.Status).Comma();
        if (r.BackEndStatus is { } bes) s.Append(bes);
        s.Comma().Csv(r.ErrorCode).Comma().Append(r.Method).Comma().Csv(r.ProxyAction).Comma().Csv(r.TargetServer).Comma()
            .Csv(r.TargetServer is null ? null : r.TargetServerVersion).Comma().Csv(r.RoutingType).Comma().Csv(r.RoutingHint).Comma()
            .Csv(r.BackEndCookie).Comma()
            .Comma() // ServerLocatorHost
            .Comma() // ServerLocatorLatency
            .Append(r.RequestBytes).Comma().Append(r.ResponseBytes).Comma()
            .Append(1).Comma() // TargetOutstandingRequests
            .Comma(); // AuthModulePerfContext
        var b = r.BackendMs;
        var t = r.TotalMs;
        var overhead = Math.Max(0, t - b);
        // HttpPipelineLatency .. TotalRequestTime, shaped like the real rows.
        s.Append(0).Comma().Append(overhead > 0 ? 1 : 0).Comma()
            .Comma().Append(0).Comma() // Gls
            .Comma().Append(0).Comma() // AccountForest
            .Comma().Append(0).Comma() // ResourceForest
            .Append(overhead > 3 ? 1 : 0).Comma() // ADLatency
            .Comma().Append(0).Comma() // SharedCache
            .Append(t).Comma().Append(0).Comma().Append(0).Comma().Append(0).Comma().Append(0).Comma()
            .Append(b).Comma().Append(0).Comma().Append(0).Comma().Append(0).Comma()
            .Append(r.AuthenticationType == "Negotiate" ? 2 : 0).Comma().Append(0).Comma()
            .Append(t).Comma().Append(0).Comma().Append(b + 1).Comma()
            .Append(overhead).Comma().Append(overhead).Comma().Append(overhead).Comma().Append(t).Comma()
            .Comma() // RouteRefresherLatency
            .Csv(r.UrlQuery).Comma()
            .Comma(); // BackEndGenericInfo
        // GenericInfo: the ';'-separated property bag.
        s.Append("BeginRequest=").AppendIso(begin).Append(";CorrelationID=<empty>;ProxyState-Run=None;");
        if (r.ProxyAction is not null)
        {
            s.Append("FEAuth=BEVersion-1942062304;BeginGetRequestStream=").AppendIso(begin).Append(";OnRequestStreamReady=").AppendIso(begin)
                .Append(";BeginGetResponse=").AppendIso(begin).Append(";OnResponseReady=").AppendIso(r.Time)
                .Append(";EndGetResponse=").AppendIso(r.Time).Append(";ProxyState-Complete=ProxyResponseData;");
        }
        if (r.GenericInfoExtra is { } extra) s.Append(extra);
        s.Append("SharedCacheGuard=0;EndRequest=").AppendIso(r.Time).Append(';').Comma()
            .Csv(r.GenericErrors).Comma()
            .Comma(); // EdgeTraceId
        if (r.DatabaseGuid is { } db) s.Append("|RoutingDB:").Append(db);
        s.Comma();
        if (r.UserObjectGuid is { } og) s.Append(og);
        s.Comma().Comma().Append(r.ProxyAction is null ? "" : "CafeV1").EndLine();
    }
}
