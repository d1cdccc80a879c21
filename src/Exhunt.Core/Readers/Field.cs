namespace Exhunt.Readers;

/// <summary>
/// Canonical field names. Each log format's column names map onto these through <c>Data/field-maps.json</c>,
/// so rules are written once against the meaning, not the column spelling of one Exchange build.
/// </summary>
public enum Field
{
    DateTime, Date, TimeOfDay, RequestId, ClientIp, ServerIp, ServerPort, ServerHost, UserAgent, Referer, Method,
    UrlHost, UrlStem, UrlQuery, Status, SubStatus, Win32Status, TimeTaken, User, IsAuthenticated, AuthenticationType,
    Protocol, ProtocolAction, AnchorMailbox, RoutingHint, BackEndCookie, BackEndStatus, ErrorCode, ProxyAction,
    TargetServer, GenericInfo, GenericErrors, EventId, EventData, Cmdlet, Parameters, ClientApplication,
    ExecutionResult, ErrorType, ClientInfo, CommandName, Action, FrontEndServer, Cookie, Host,
}

public static class FieldCount
{
    public static readonly int Value = Enum.GetValues<Field>().Length;
}
