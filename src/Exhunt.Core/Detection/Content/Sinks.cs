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
public static partial class Sinks
{
    // Source-generated: no Reflection.Emit compile and JIT of every pattern at the first page judged, and the same
    // code in trimmed and ReadyToRun builds.
    private const RegexOptions IgnoreCaseInvariant = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int TimeoutMs = 1000;

    public static readonly Sink[] All =
    [
        // JScript eval is lower case (case-sensitive language); DataBinder.Eval / Page.Eval are not code evaluation.
        new(SinkFamily.Eval, JsEval(), "eval"),
        new(SinkFamily.Eval, VbExecute(), "VBScript Execute/Eval", VbScriptOnly: true),
        new(SinkFamily.Eval, JScriptEngineEval(), "JScript engine eval"),
        new(SinkFamily.Eval, XsltScript(), "XSLT script"),
        new(SinkFamily.Eval, NewFunction(), "new Function"),
        new(SinkFamily.CodeLoad, AssemblyLoad(), "Assembly.Load"),
        new(SinkFamily.CodeLoad, RuntimeCompilation(), "runtime compilation"),
        new(SinkFamily.Reflection, Reflection(), "reflection"),
        new(SinkFamily.Command, ProcessStart(), "Process.Start"),
        new(SinkFamily.Command, ProcessStdin(), "process stdin"),
        new(SinkFamily.Command, ShellObject(), "shell object"),
        new(SinkFamily.Command, ShellExecRun(), "shell Exec/Run"),
        new(SinkFamily.Command, CommandInterpreter(), "command interpreter"),
        new(SinkFamily.FileWrite, FileWrite(), "file write"),
        new(SinkFamily.FileWrite, FsoFileWrite(), "file write (FSO/ADODB/FileInfo)"),
        new(SinkFamily.FileRead, FileRead(), "file read"),
        new(SinkFamily.FileList, DirectoryListing(), "directory listing"),
        new(SinkFamily.Timestomp, TimestampChange(), "timestamp change"),
        new(SinkFamily.Network, Network(), "network"),
        new(SinkFamily.Sql, DatabaseConnection(), "database connection"),
        new(SinkFamily.Registry, RegistryWmiAdsi(), "registry/WMI/ADSI"),
        new(SinkFamily.Crypto, SymmetricCrypto(), "symmetric crypto"),
    ];

    [GeneratedRegex(@"(?<![\w.])eval\s*\(", RegexOptions.CultureInvariant, TimeoutMs)] private static partial Regex JsEval();
    [GeneratedRegex(@"(?<![\w.])(?:Execute|ExecuteGlobal|Eval)\b\s*[\(""\w]", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex VbExecute();
    [GeneratedRegex(@"\bJScriptEvaluate\b|\bMicrosoft\.JScript\.Eval\b|\bVsaEngine\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex JScriptEngineEval();
    [GeneratedRegex(@"msxsl:script|\bEnableScript\s*[=:(]|\bXsltSettings\s*\(\s*\w+\s*,\s*true", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex XsltScript();
    [GeneratedRegex(@"\bnew\s+Function\s*\(", RegexOptions.CultureInvariant, TimeoutMs)] private static partial Regex NewFunction();
    [GeneratedRegex(@"\bAssembly\s*\.\s*Load\s*\(|\bAppDomain\.CurrentDomain\.Load\s*\(|\[\s*""Load""\s*\]|GetMethod\s*\(\s*""Load""", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex AssemblyLoad();
    [GeneratedRegex(@"\bCompileAssemblyFrom(?:Source|Dom|File)\b|\b(?:CSharp|VB|JScript)CodeProvider\b|\bCodeDomProvider\b|\bDynamicMethod\b|\bILGenerator\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex RuntimeCompilation();
    [GeneratedRegex(@"\bAssembly\s*\.\s*(?:LoadFrom|LoadFile|UnsafeLoadFrom)\s*\(|\bActivator\s*\.\s*CreateInstance\b|\.CreateInstance\s*\(|\bType\s*\.\s*GetType\s*\(|\.GetMethod\s*\(|\.InvokeMember\s*\(|\.Invoke\s*\(|\bCallByName\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex Reflection();
    [GeneratedRegex(@"\bProcess\s*\.\s*Start\s*\(|\bnew\s+(?:System\.Diagnostics\.)?Process(?:StartInfo)?\s*\(|\.StartInfo\s*\.\s*(?:FileName|Arguments)\s*=|\bProcessStartInfo\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex ProcessStart();
    [GeneratedRegex(@"\.StandardInput\s*\.\s*Write(?:Line)?\s*\(", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex ProcessStdin();
    [GeneratedRegex(@"\bWScript\.Shell\b|\bShell\.Application\b|\bWScript\.Network\b|\.ShellExecute\s*\(|\bWinExec\b|\bCreateProcess[AW]?\s*\(", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex ShellObject();
    [GeneratedRegex(@"(?<![\w])\w+\s*\.\s*(?:Exec|Run)\s*\(", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex ShellExecRun();
    [GeneratedRegex(@"\bcmd(?:\.exe)?\s*""?\s*,?\s*""?\s*/[ck]\b|\bcmd\.exe\b|\bpowershell(?:\.exe)?\b|\bxp_cmdshell\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex CommandInterpreter();
    [GeneratedRegex(@"\.SaveAs\s*\(|\bFile\s*\.\s*(?:WriteAll\w*|AppendAll\w*|AppendText|Create|CreateText|Copy|Move|Delete|Replace|OpenWrite)\s*\(|\bnew\s+(?:System\.IO\.)?(?:StreamWriter|FileStream|BinaryWriter)\s*\(|\bDirectory\s*\.\s*(?:Delete|Move|CreateDirectory)\s*\(", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex FileWrite();
    [GeneratedRegex(@"\.(?:CreateTextFile|OpenTextFile|DeleteFile|DeleteFolder|CopyFile|MoveFile|CreateFolder|CopyFolder|MoveFolder|SaveToFile)\b|\.(?:MoveTo|Delete)\s*\(\s*\)", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex FsoFileWrite();
    [GeneratedRegex(@"\bFile\s*\.\s*(?:ReadAll\w*|OpenRead|OpenText|Open)\s*\(|\bnew\s+(?:System\.IO\.)?StreamReader\s*\(|\bResponse\s*\.\s*(?:TransmitFile|WriteFile)\s*\(|\.OpenAsTextStream\b|\.LoadFromFile\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex FileRead();
    [GeneratedRegex(@"\bDirectory\s*\.\s*Get(?:Files|Directories|FileSystemEntries|LogicalDrives)\s*\(|\bDriveInfo\s*\.\s*GetDrives\b|\bnew\s+(?:System\.IO\.)?DirectoryInfo\s*\(|\.GetFolder\s*\(|\.(?:SubFolders|Drives)\b|\bEnvironment\.GetLogicalDrives\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex DirectoryListing();
    [GeneratedRegex(@"\b(?:File|Directory)\s*\.\s*Set(?:CreationTime|LastWriteTime|LastAccessTime)\w*\s*\(|\.(?:CreationTime|LastWriteTime|LastAccessTime)\s*=(?!=)", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex TimestampChange();
    [GeneratedRegex(@"\bnew\s+(?:System\.Net\.Sockets\.)?(?:Socket|TcpClient|UdpClient)\s*\(|\bMSXML2\.ServerXMLHTTP\b|\bServerXMLHTTP\b|\bWinHttp\.WinHttpRequest\b|\bWebRequest\s*\.\s*Create\s*\(|\bnew\s+(?:System\.Net\.)?WebClient\s*\(", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex Network();
    [GeneratedRegex(@"\bnew\s+(?:System\.Data\.\w+\.)?(?:SqlConnection|OleDbConnection|OdbcConnection)\s*\(|\bADODB\.Connection\b|\.ConnectionString\s*=(?!=)|\bxp_cmdshell\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex DatabaseConnection();
    [GeneratedRegex(@"\bRegistry\s*\.\s*(?:LocalMachine|CurrentUser|Users|ClassesRoot)\b|\bRegistryKey\b|\.RegRead\b|\bManagementObjectSearcher\b|\bWin32_(?:Process|Service|UserAccount)\b|""WinNT://", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex RegistryWmiAdsi();
    [GeneratedRegex(@"\bRijndaelManaged\b|\bAesManaged\b|\bAes\s*\.\s*Create\b|\bAesCryptoServiceProvider\b|\bCreateDecryptor\b|\bTransformFinalBlock\b|\bDESCryptoServiceProvider\b|\bTripleDES\w*\b|\bRC4\b", IgnoreCaseInvariant, TimeoutMs)] private static partial Regex SymmetricCrypto();
}
