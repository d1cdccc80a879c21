using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Exhunt.Findings;

namespace Exhunt.Detection.Content;

/// <summary>What a compiled page's metadata references: "Namespace.Type::Member" names and user strings.</summary>
public sealed record AssemblyFacts(IReadOnlyList<string> MemberRefs, IReadOnlyList<string> TypeRefs, IReadOnlyList<string> Strings);

/// <summary>
/// Compiled pages (ASP.NET's App_Web_*.dll / App_Code*.dll in Temporary ASP.NET Files and bin folders) judged by
/// their metadata: member references (HttpRequest getters, Process.Start, Assembly.Load, JScript's evaluator,
/// decryptors) and user strings (cmd.exe, tunnel headers) — no code is loaded or run.
/// </summary>
public static class CompiledPage
{
    public const int MaxRefs = 20_000, MaxStrings = 5_000;

    /// <summary>Where ASP.NET keeps compiled pages: by name anywhere, any assembly in Temporary ASP.NET Files
    /// except the shadow copies of bin assemblies (assembly/dl3).</summary>
    public static bool IsCandidate(string normalisedPath, string fileName)
    {
        var name = fileName.ToLowerInvariant();
        if (!name.EndsWith(".dll")) return false;
        if (name.StartsWith("app_web_") || name.StartsWith("app_code") || name.StartsWith("app_global")) return true;
        return normalisedPath.Contains("temporary asp.net files/", StringComparison.Ordinal) && !normalisedPath.Contains("/assembly/dl3/", StringComparison.Ordinal);
    }

    public static AssemblyFacts? Read(ReadOnlySpan<byte> image)
    {
        try
        {
            using var pe = new PEReader(ImmutableArray.Create(image.ToArray()));
            if (!pe.HasMetadata) return null;
            var md = pe.GetMetadataReader();
            var members = new List<string>();
            foreach (var h in md.MemberReferences)
            {
                if (members.Count >= MaxRefs) break;
                var m = md.GetMemberReference(h);
                members.Add(TypeName(md, m.Parent) + "::" + md.GetString(m.Name));
            }
            var types = new List<string>();
            foreach (var h in md.TypeReferences)
            {
                if (types.Count >= MaxRefs) break;
                types.Add(TypeName(md, h));
            }
            var strings = new List<string>();
            var us = MetadataTokens.UserStringHandle(1);
            while (!us.IsNil && strings.Count < MaxStrings && md.GetHeapSize(HeapIndex.UserString) > 1)
            {
                strings.Add(md.GetUserString(us));
                us = md.GetNextHandle(us);
            }
            return new AssemblyFacts(members, types, strings);
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static string TypeName(MetadataReader md, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeReference:
                var t = md.GetTypeReference((TypeReferenceHandle)handle);
                var ns = md.GetString(t.Namespace);
                return (ns.Length > 0 ? ns + "." : "") + md.GetString(t.Name);
            case HandleKind.TypeDefinition:
                var d = md.GetTypeDefinition((TypeDefinitionHandle)handle);
                return md.GetString(d.Namespace) + "." + md.GetString(d.Name);
            default:
                return "?";
        }
    }

    public static Judgement Judge(AssemblyFacts facts, long length)
    {
        var signals = new List<Signal>();
        bool Ref(string s) => facts.MemberRefs.Any(m => m.Contains(s, StringComparison.Ordinal));
        string? RefOf(params string[] names) => facts.MemberRefs.FirstOrDefault(m => names.Any(n => m.Contains(n, StringComparison.Ordinal)));
        string? Str(params string[] needles) => facts.Strings.FirstOrDefault(s => needles.Any(n => s.Contains(n, StringComparison.OrdinalIgnoreCase)));

        var request = RefOf("HttpRequest::get_Item", "HttpRequest::get_Form", "HttpRequest::get_QueryString", "HttpRequest::get_InputStream",
            "HttpRequest::BinaryRead", "HttpRequest::get_Files", "HttpRequest::get_Headers", "HttpRequest::get_Cookies", "HttpRequest::get_Params",
            "HttpPostedFile::");
        var eval = RefOf("Microsoft.JScript.Eval::JScriptEvaluate", "Microsoft.JScript.Vsa");
        var load = RefOf("System.Reflection.Assembly::Load", "::CompileAssemblyFromSource", "System.AppDomain::Load");
        var crypto = RefOf("::CreateDecryptor", "::TransformFinalBlock", "RijndaelManaged::.ctor");
        var command = RefOf("System.Diagnostics.Process::Start", "System.Diagnostics.ProcessStartInfo::set_FileName") ?? Str("cmd.exe", "cmd /c", "powershell");
        var write = RefOf("HttpPostedFile::SaveAs", "System.IO.File::WriteAllBytes", "System.IO.File::WriteAllText");
        var socket = RefOf("System.Net.Sockets.Socket::Connect");
        var tunnel = Str("X-CMD", "X-STATUS", "X-TARGET");
        var small = length <= 256 * 1024;

        if (request is not null && eval is not null) signals.Add(new("compiled: request→JScript eval", Severity.Critical, eval + " + " + request));
        if (request is not null && load is not null && crypto is not null) signals.Add(new("compiled: encrypted-loader", Severity.Critical, load + " + " + crypto));
        else if (request is not null && load is not null && Ref("HttpRequest::BinaryRead") | Ref("HttpRequest::get_InputStream"))
            signals.Add(new("compiled: request→code-load", Severity.Critical, load + " + " + request));
        else if (request is not null && load is not null) signals.Add(new("compiled: code-load+request", Severity.Medium, load));
        if (request is not null && command is not null) signals.Add(new("compiled: command+request", small ? Severity.High : Severity.Medium, command + " + " + request));
        if (request is not null && socket is not null && tunnel is not null) signals.Add(new("compiled: tunnel", Severity.Critical, socket + " + " + tunnel));
        if (request is not null && write is not null && small) signals.Add(new("compiled: upload", Severity.Low, write));
        return signals.Count == 0 ? new Judgement(Severity.Info, signals) : new Judgement(signals.Max(s => s.Strength), signals);
    }
}
