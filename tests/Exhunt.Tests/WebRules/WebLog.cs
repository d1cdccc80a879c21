using Exhunt.Detection;
using Exhunt.Evidence;
using Exhunt.Findings;
using Exhunt.Readers;
using Exhunt.Tests.Support;

namespace Exhunt.Tests.WebRules;

/// <summary>Builds log files with the real headers (detection-facts §2) for the web-rule tests.</summary>
internal static class WebLog
{
    // Exchange 2016 CU22 HttpProxy #Fields (detection-facts §2.2).
    public const string HttpProxyFields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";

    public const string IisFields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

    public const string RpsHttpFields = "DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,GenericInfo,GenericErrors";

    public const string RpsCmdletFields = "DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ServerHostName,ProcessId,ProcessName,ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,EffectiveOrganization,UserServicePlan,IsAdmin,ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,ADConfigurationDomainControllers,ADPreferredGlobalCatalogs,ADPreferredDomainControllers,ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,CmdletProxyStage,CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,StopProcessing,BizLogic,PowerShellLatency,UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,CacheHitCount,CacheMissCount,GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,ExternalDirectoryObjectId,NonPiiParameters";

    public static string ExchangeHeader(string logType, string fields) =>
        $"#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: {logType}\r\n#Date: 2021-03-03T02:00:00.000Z\r\n#Fields: {fields}\r\n";

    /// <summary>A CSV log: header plus one row per dictionary, columns in <paramref name="fields"/> order, quoted as Exchange does.</summary>
    public static string Csv(string logType, string fields, params Dictionary<string, string>[] rows)
    {
        var names = fields.Split(',');
        var sb = new System.Text.StringBuilder(ExchangeHeader(logType, fields));
        foreach (var row in rows)
        {
            sb.Append(string.Join(",", names.Select(n => Quote(row.TryGetValue(n, out var v) ? v : ""))));
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    private static string Quote(string v) => v.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;

    public static string HttpProxy(params Dictionary<string, string>[] rows) => Csv("HttpProxy Logs", HttpProxyFields, rows);

    /// <summary>A plausible HttpProxy row; override fields per test.</summary>
    public static Dictionary<string, string> ProxyRow(Dictionary<string, string> overrides)
    {
        var row = new Dictionary<string, string>
        {
            ["DateTime"] = "2021-03-03T02:14:05.123Z", ["RequestId"] = "1a51fb75-2f6f-4a40-8129-ff80098494a0",
            ["MajorVersion"] = "15", ["MinorVersion"] = "1", ["BuildVersion"] = "2176", ["RevisionVersion"] = "2",
            ["Protocol"] = "Ecp", ["UrlHost"] = "mail.contoso.com", ["UrlStem"] = "/ecp/y.js", ["AuthenticationType"] = "FBA",
            ["IsAuthenticated"] = "false", ["UserAgent"] = "ExchangeServicesClient/0.0.0.0", ["ClientIpAddress"] = "130.255.189.21",
            ["ServerHostName"] = "EX01", ["HttpStatus"] = "200", ["BackEndStatus"] = "200", ["Method"] = "POST", ["ProxyAction"] = "Proxy",
            ["TargetServer"] = "ex01.contoso.local", ["RoutingType"] = "CrossRegion",
            ["GenericInfo"] = "BeginRequest=2021-03-03T02:14:05.000Z;CorrelationID=<empty>;ProxyState-Run=None;",
        };
        foreach (var (k, v) in overrides) row[k] = v;
        return row;
    }

    public static string Iis(params string[] lines) =>
        "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-05 00:00:00\r\n#Fields: " + IisFields + "\r\n"
        + string.Concat(lines.Select(l => l + "\r\n"));

    public const string IisPath = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log";
    public const string EcpProxyPath = "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030302-1.LOG";
    public const string OwaProxyPath = "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030302-1.LOG";
    public const string AutodiscoverProxyPath = "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Autodiscover/HttpProxy_2021080302-1.LOG";
    public const string EcpServerPath = "C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG";

    public static string EcpServer(params string[] lines) =>
        "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: ECP Server Log\r\n#Date: 2021-03-03T00:00:00.000Z\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
        + string.Concat(lines.Select(l => l + "\r\n"));

    public static List<Finding> Of(this List<Finding> findings, string ruleId) => findings.Where(f => f.Rule.Id == ruleId).ToList();

    /// <summary>Only this area's rules (namespace Exhunt.Detection.Web), so other areas' rules stay out of near-miss assertions.</summary>
    public static readonly RuleSet Rules = Build();

    private static RuleSet Build()
    {
        var set = new RuleSet();
        set.LogRules.AddRange(RuleSet.BuiltIn().LogRules.Where(r => r.GetType().Namespace == "Exhunt.Detection.Web"));
        return set;
    }

    public static List<Finding> Detect(string relativePath, string text, ArtifactKind? kind = null) =>
        LogLines.Detect(relativePath, text, kind, Rules);

    /// <summary>Runs this area's rules and also returns the file-write claims.</summary>
    public static (List<Finding> Findings, List<FileWriteClaim> Writes) DetectWithWrites(string relativePath, string text, ArtifactKind? kind = null)
    {
        var (findings, writes, _) = LogLines.Run(relativePath, text, kind, Rules);
        return (findings, writes);
    }
}
