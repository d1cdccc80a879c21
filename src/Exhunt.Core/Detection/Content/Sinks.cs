using System.Text.RegularExpressions;

namespace Exhunt.Detection.Content;

/// <summary>What a server-side call can do when an attacker drives it.</summary>
public enum SinkFamily { Eval, CodeLoad, Reflection, Command, FileWrite, FileRead, FileList, Timestomp, Network, Sql, Registry, Crypto }

/// <summary>A sink pattern; <paramref name="VbOnly"/> / <paramref name="JsOnly"/> restrict it to a dialect.</summary>
public sealed record Sink(SinkFamily Family, Regex Pattern, string Name, bool VbScriptOnly = false);

/// <summary>
/// The server-side sinks, by family (facts: detection-facts.md §3.4; the public shells' published shapes: China
/// Chopper eval/Execute one-liners, Assembly.Load loaders, ASPXSpy-style file managers, cmd shells, reGeorg).
/// Patterns match after <see cref="Deobfuscator"/> ran, so split and encoded keywords are seen whole.
/// </summary>
public static class Sinks
{
    private const RegexOptions I = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static Regex R(string p, bool ignoreCase = true) => new(p, (ignoreCase ? I : RegexOptions.CultureInvariant) | RegexOptions.Compiled, Timeout);

    public static readonly Sink[] All =
    [
        // JScript eval is lower case (case-sensitive language); DataBinder.Eval / Page.Eval are not code evaluation.
        new(SinkFamily.Eval, R(@"(?<![\w.])eval\s*\(", ignoreCase: false), "eval"),
        new(SinkFamily.Eval, R(@"(?<![\w.])(?:Execute|ExecuteGlobal|Eval)\b\s*[\(""\w]"), "VBScript Execute/Eval", VbScriptOnly: true),
        new(SinkFamily.Eval, R(@"\bJScriptEvaluate\b|\bMicrosoft\.JScript\.Eval\b|\bVsaEngine\b"), "JScript engine eval"),
        new(SinkFamily.Eval, R(@"msxsl:script|\bEnableScript\s*[=:(]|\bXsltSettings\s*\(\s*\w+\s*,\s*true"), "XSLT script"),
        new(SinkFamily.Eval, R(@"\bnew\s+Function\s*\(", ignoreCase: false), "new Function"),
        new(SinkFamily.CodeLoad, R(@"\bAssembly\s*\.\s*Load\s*\(|\bAppDomain\.CurrentDomain\.Load\s*\(|\[\s*""Load""\s*\]|GetMethod\s*\(\s*""Load"""), "Assembly.Load"),
        new(SinkFamily.CodeLoad, R(@"\bCompileAssemblyFrom(?:Source|Dom|File)\b|\b(?:CSharp|VB|JScript)CodeProvider\b|\bCodeDomProvider\b|\bDynamicMethod\b|\bILGenerator\b"), "runtime compilation"),
        new(SinkFamily.Reflection, R(@"\bAssembly\s*\.\s*(?:LoadFrom|LoadFile|UnsafeLoadFrom)\s*\(|\bActivator\s*\.\s*CreateInstance\b|\.CreateInstance\s*\(|\bType\s*\.\s*GetType\s*\(|\.GetMethod\s*\(|\.InvokeMember\s*\(|\.Invoke\s*\(|\bCallByName\b"), "reflection"),
        new(SinkFamily.Command, R(@"\bProcess\s*\.\s*Start\s*\(|\bnew\s+(?:System\.Diagnostics\.)?Process(?:StartInfo)?\s*\(|\.StartInfo\s*\.\s*(?:FileName|Arguments)\s*=|\bProcessStartInfo\b"), "Process.Start"),
        new(SinkFamily.Command, R(@"\.StandardInput\s*\.\s*Write(?:Line)?\s*\("), "process stdin"),
        new(SinkFamily.Command, R(@"\bWScript\.Shell\b|\bShell\.Application\b|\bWScript\.Network\b|\.ShellExecute\s*\(|\bWinExec\b|\bCreateProcess[AW]?\s*\("), "shell object"),
        new(SinkFamily.Command, R(@"(?<![\w])\w+\s*\.\s*(?:Exec|Run)\s*\("), "shell Exec/Run"),
        new(SinkFamily.Command, R(@"\bcmd(?:\.exe)?\s*""?\s*,?\s*""?\s*/[ck]\b|\bcmd\.exe\b|\bpowershell(?:\.exe)?\b|\bxp_cmdshell\b"), "command interpreter"),
        new(SinkFamily.FileWrite, R(@"\.SaveAs\s*\(|\bFile\s*\.\s*(?:WriteAll\w*|AppendAll\w*|AppendText|Create|CreateText|Copy|Move|Delete|Replace|OpenWrite)\s*\(|\bnew\s+(?:System\.IO\.)?(?:StreamWriter|FileStream|BinaryWriter)\s*\(|\bDirectory\s*\.\s*(?:Delete|Move|CreateDirectory)\s*\("), "file write"),
        new(SinkFamily.FileWrite, R(@"\.(?:CreateTextFile|OpenTextFile|DeleteFile|DeleteFolder|CopyFile|MoveFile|CreateFolder|CopyFolder|MoveFolder|SaveToFile)\b|\.(?:MoveTo|Delete)\s*\(\s*\)"), "file write (FSO/ADODB/FileInfo)"),
        new(SinkFamily.FileRead, R(@"\bFile\s*\.\s*(?:ReadAll\w*|OpenRead|OpenText|Open)\s*\(|\bnew\s+(?:System\.IO\.)?StreamReader\s*\(|\bResponse\s*\.\s*(?:TransmitFile|WriteFile)\s*\(|\.OpenAsTextStream\b|\.LoadFromFile\b"), "file read"),
        new(SinkFamily.FileList, R(@"\bDirectory\s*\.\s*Get(?:Files|Directories|FileSystemEntries|LogicalDrives)\s*\(|\bDriveInfo\s*\.\s*GetDrives\b|\bnew\s+(?:System\.IO\.)?DirectoryInfo\s*\(|\.GetFolder\s*\(|\.(?:SubFolders|Drives)\b|\bEnvironment\.GetLogicalDrives\b"), "directory listing"),
        new(SinkFamily.Timestomp, R(@"\b(?:File|Directory)\s*\.\s*Set(?:CreationTime|LastWriteTime|LastAccessTime)\w*\s*\(|\.(?:CreationTime|LastWriteTime|LastAccessTime)\s*=(?!=)"), "timestamp change"),
        new(SinkFamily.Network, R(@"\bnew\s+(?:System\.Net\.Sockets\.)?(?:Socket|TcpClient|UdpClient)\s*\(|\bMSXML2\.ServerXMLHTTP\b|\bServerXMLHTTP\b|\bWinHttp\.WinHttpRequest\b|\bWebRequest\s*\.\s*Create\s*\(|\bnew\s+(?:System\.Net\.)?WebClient\s*\("), "network"),
        new(SinkFamily.Sql, R(@"\bnew\s+(?:System\.Data\.\w+\.)?(?:SqlConnection|OleDbConnection|OdbcConnection)\s*\(|\bADODB\.Connection\b|\.ConnectionString\s*=(?!=)|\bxp_cmdshell\b"), "database connection"),
        new(SinkFamily.Registry, R(@"\bRegistry\s*\.\s*(?:LocalMachine|CurrentUser|Users|ClassesRoot)\b|\bRegistryKey\b|\.RegRead\b|\bManagementObjectSearcher\b|\bWin32_(?:Process|Service|UserAccount)\b|""WinNT://"), "registry/WMI/ADSI"),
        new(SinkFamily.Crypto, R(@"\bRijndaelManaged\b|\bAesManaged\b|\bAes\s*\.\s*Create\b|\bAesCryptoServiceProvider\b|\bCreateDecryptor\b|\bTransformFinalBlock\b|\bDESCryptoServiceProvider\b|\bTripleDES\w*\b|\bRC4\b"), "symmetric crypto"),
    ];
}
