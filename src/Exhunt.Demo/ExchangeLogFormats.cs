namespace Exhunt.Demo;

/// <summary>The smaller Exchange CSV logs: ECP server log, Rps cmdlet log and OAB generator log (facts §2.3, §2.4, §2.6).</summary>
internal static class ExchangeLogFormats
{
    public const string EcpFields = "TimeStamp,ServerName,EventId,EventData";

    public const string RpsCmdletFields = "DateTime,StartTime,RequestId,ClientRequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ServerHostName,ProcessId,ProcessName,ThreadId,CultureInfo,Organization,AuthenticatedUser,ExecutingUserSid,EffectiveOrganization,UserServicePlan,IsAdmin,ClientApplication,Cmdlet,Parameters,CmdletUniqueId,UserBudgetOnStart,ContributeToFailFast,RunspaceSettingsCreationHint,ADViewEntireForest,ADRecipientViewRoot,ADConfigurationDomainControllers,ADPreferredGlobalCatalogs,ADPreferredDomainControllers,ADUserConfigurationDomainController,ADUserPreferredGlobalCatalog,ADuserPreferredDomainControllers,ThrottlingInfo,DelayInfo,ThrottlingDelay,IsOutputObjectRedacted,CmdletProxyStage,CmdletProxyRemoteServer,CmdletProxyRemoteServerVersion,CmdletProxyMethod,ProxiedObjectCount,CmdletProxyLatency,OutputObjectCount,ParameterBinding,BeginProcessing,ProcessRecord,EndProcessing,StopProcessing,BizLogic,PowerShellLatency,UserInteractionLatency,ProvisioningLayerLatency,ActivityContextLifeTime,TotalTime,ErrorType,ExecutionResult,CacheHitCount,CacheMissCount,GenericLatency,GenericInfo,GenericErrors,ObjectGuid,ExternalDirectoryOrganizationId,ExternalDirectoryObjectId,NonPiiParameters";

    // The OAB generator's column layout is not published (facts §2.4: "treat these as text"): the demo writes the
    // documented message text in a minimal timestamped CSV.
    public const string OabFields = "DateTime,ThreadId,Message";

    public static void Header(LogSink s, string logType, string version, DateTime at, string fields)
    {
        s.Append("#Software: Microsoft Exchange Server").EndLine();
        s.Append("#Version: ").Append(version).EndLine();
        s.Append("#Log-type: ").Append(logType).EndLine();
        s.Append("#Date: ").AppendIso(at).EndLine();
        s.Append("#Fields: ").Append(fields).EndLine();
    }

    /// <summary>
    /// An ECP EventData bag item: <c>S:KEY=value</c>; a value holding a quote or ';' is wrapped in single quotes with
    /// single quotes doubled, as in the real 27065 line <c>'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/...'''</c>.
    /// </summary>
    public static string EcpItem(string key, string value) =>
        value.AsSpan().IndexOfAny("';") >= 0 ? $"'S:{key}={value.Replace("'", "''")}'" : $"S:{key}={value}";

    /// <summary>Serialises a cmdlet the way the ECP server log does: <c>Cmdlet.Param='value'.Param=$true</c>.</summary>
    public static string EcpCommand(string cmdlet, params (string Name, string? Value)[] parameters)
    {
        var sb = new System.Text.StringBuilder(cmdlet);
        foreach (var (name, value) in parameters)
        {
            sb.Append('.').Append(name).Append('=');
            if (value is null) sb.Append("$null");
            else if (value is "$true" or "$false") sb.Append(value);
            else sb.Append('\'').Append(value).Append('\'');
        }
        return sb.ToString();
    }

    public static string EcpEventData(int timeMs, Guid session, string command, string url, Guid activity) =>
        string.Join(';',
            $"S:TIME={timeMs}", $"S:SID={session}", EcpItem("CMD", command), "S:REQID=", $"S:URL={url}", "S:REFERRER=", "S:EX=",
            $"S:ACTID={activity}", "S:RS=0", $"S:BLD={DemoOrg.VersionDotted}");

    public static void EcpLine(LogSink s, DateTime t, string eventData)
    {
        s.AppendIso(t).Comma().Append(DemoOrg.Server).Append(",ECP.Request,");
        // The ECP logger quotes an EventData holding quotes or commas (doubling '"').
        if (eventData.AsSpan().IndexOfAny("'\",") >= 0) s.Append('"').Append(eventData.Replace("\"", "\"\"")).Append('"');
        else s.Append(eventData);
        s.EndLine();
    }

    public static void RpsCmdletLine(LogSink s, DemoRandom r, DateTime t, string user, string userSid, string clientApplication,
        string cmdlet, string parameters, int outputObjects, string executionResult = "Success", string? errorType = null)
    {
        var total = r.Skewed(40, 4000) + 5;
        var start = t.AddMilliseconds(-total);
        s.AppendIso(t).Comma().AppendIso(start).Comma().Append(r.NextGuid()).Comma().Comma()
            .Append(DemoOrg.Major).Comma().Append(DemoOrg.Minor).Comma().Append(DemoOrg.Build).Comma().Append(DemoOrg.Revision).Comma()
            .Append(DemoOrg.Server).Comma().Append(7432).Comma().Append("w3wp").Comma().Append(r.Next(8, 180)).Comma().Append("en-US").Comma()
            .Comma().Csv(user).Comma().Append(userSid).Comma().Comma().Comma().Append("True").Comma().Csv(clientApplication).Comma()
            .Append(cmdlet).Comma().Csv(parameters).Comma().Append(r.NextGuid()).Comma()
            .Csv($"Owner:Sid~{userSid}~RemotePowerShell~true,Conn:1,MaxConn:18,MaxBurst:600000,Balance:600000,Cutoff:-1,RechargeRate:1800000,Policy:DefaultThrottlingPolicy_e5c3e7e1-5b2a-4c2e-9d5f-1f0c8a0ae5e6,IsServiceAccount:False,LiveTime:00:00:00")
            .Comma().Append("False").Comma().Append("Default").Comma().Append("True").Comma().Comma()
            .Append("DC01.").Append(DemoOrg.AdDomain).Comma().Comma().Append("DC01.").Append(DemoOrg.AdDomain).Comma().Comma().Comma().Comma()
            .Comma().Comma().Append(0).Comma().Append("False").Comma().Comma().Comma().Comma().Comma().Comma().Comma()
            .Append(outputObjects).Comma().Append(1).Comma().Append(0).Comma().Append(total - 3).Comma().Append(1).Comma().Comma()
            .Append(total - 4).Comma().Append(total).Comma().Append(0).Comma().Append(0).Comma().Append(total).Comma().Append(total).Comma()
            .Csv(errorType).Comma().Append(executionResult).Comma().Append(r.Next(0, 40)).Comma().Append(r.Next(0, 4)).Comma().Comma()
            .Append("ActivityStandardMetadata.Action=").Append(cmdlet).Append(';').Comma().Comma().Comma().Comma().Comma().EndLine();
    }

    public static void OabLine(LogSink s, DateTime t, int thread, string message)
    {
        s.AppendIso(t).Comma().Append(thread).Comma().Csv(message).EndLine();
    }
}
