namespace Exhunt.Demo;

/// <summary>
/// IIS W3C logs of an Exchange server (facts §2.5): <c>W3SVC1</c> is the Default Web Site (front end, 443),
/// <c>W3SVC2</c> the Exchange Back End (444). Daily <c>u_exYYMMDD.log</c>, UTC, the default Exchange field list,
/// '+' for spaces in the user agent, '-' for empty, Exchange's <c>&amp;CorrelationID=&lt;empty&gt;;&amp;cafeReqId=...;</c> query suffix.
/// </summary>
internal static class IisFormat
{
    public const string Fields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

    public static void Header(LogSink s, DateTime at)
    {
        s.Append("#Software: Microsoft Internet Information Services 10.0").EndLine();
        s.Append("#Version: 1.0").EndLine();
        s.Append("#Date: ").AppendW3c(at).EndLine();
        s.Append("#Fields: ").Append(Fields).EndLine();
    }

    /// <param name="query">The query without '?', or null; Exchange's correlation suffix is appended.</param>
    public static void Line(LogSink s, DateTime t, string serverIp, string method, string stem, string? query, Guid cafeReqId,
        int port, string? user, string clientIp, string? userAgent, string? referer, int status, int subStatus, int win32, int timeTaken)
    {
        s.AppendW3c(t).Append(' ').Append(serverIp).Append(' ').Append(method).Append(' ').Append(stem).Append(' ');
        if (query is { Length: > 0 }) s.AppendReplacing(query, ' ', '+');
        if (port == 444)
        {
            // The back end sees the front end's request: no cafeReqId suffix.
            if (query is not { Length: > 0 }) s.Append('-');
        }
        else s.Append("&CorrelationID=<empty>;&cafeReqId=").Append(cafeReqId).Append(';');
        s.Append(' ').Append(port).Append(' ');
        Token(s, user);
        s.Append(' ').Append(clientIp).Append(' ');
        Token(s, userAgent);
        s.Append(' ');
        Token(s, referer);
        s.Append(' ').Append(status).Append(' ').Append(subStatus).Append(' ').Append(win32).Append(' ').Append(timeTaken).EndLine();
    }

    private static void Token(LogSink s, string? value)
    {
        if (string.IsNullOrEmpty(value)) { s.Append('-'); return; }
        s.AppendReplacing(value, ' ', '+');
    }
}
