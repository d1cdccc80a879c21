namespace Exhunt.Tests.Content;

/// <summary>Realistic benign pages written for these tests: the classic false positives of web-shell scanners.</summary>
internal static class BenignFixtures
{
    public static readonly (string Name, string Text)[] Pages =
    [
        ("upload.ashx", """
            <%@ WebHandler Language="C#" Class="Upload" %>
            using System; using System.IO; using System.Linq; using System.Web;
            public class Upload : IHttpHandler {
              static readonly string[] Allowed = { ".jpg", ".jpeg", ".png", ".gif" };
              public void ProcessRequest(HttpContext context) {
                if (!context.User.Identity.IsAuthenticated) { context.Response.StatusCode = 401; return; }
                var file = context.Request.Files["image"];
                if (file == null || file.ContentLength > 4 * 1024 * 1024) { context.Response.StatusCode = 400; return; }
                var ext = Path.GetExtension(file.FileName).ToLowerInvariant();
                if (!Allowed.Contains(ext)) { context.Response.StatusCode = 415; return; }
                var name = Guid.NewGuid().ToString("N") + ext;
                file.SaveAs(Path.Combine(context.Server.MapPath("~/App_Data/uploads"), name));
                context.Response.Write(name);
              }
              public bool IsReusable { get { return true; } }
            }
            """),
        ("upload-noauth.aspx", """
            <%@ Page Language="C#" %>
            <script runat="server">
            protected void Send_Click(object sender, EventArgs e) {
              if (!photo.HasFile) return;
              string ext = System.IO.Path.GetExtension(photo.FileName).ToLower();
              if (ext != ".jpg" && ext != ".png") { status.Text = "Images only."; return; }
              photo.SaveAs(Server.MapPath("~/images/gallery/") + System.IO.Path.GetFileName(photo.FileName));
              status.Text = "Thanks!";
            }
            </script>
            <html><body><h1>Share a photo</h1><form runat="server"><asp:FileUpload ID="photo" runat="server" /><asp:Button ID="send" runat="server" Text="Send" OnClick="Send_Click" /><asp:Label ID="status" runat="server" /></form></body></html>
            """),
        ("processes.aspx", """
            <%@ Page Language="C#" %><%@ Import Namespace="System.Diagnostics" %>
            <script runat="server">
            protected void Page_Load(object s, EventArgs e) {
              if (!User.IsInRole("Administrators")) { Response.Redirect("~/login.aspx"); return; }
              var sort = Request.QueryString["sort"] ?? "name";
              var list = Process.GetProcesses();
              foreach (var p in sort == "mem" ? list.OrderByDescending(x => x.WorkingSet64) : list.OrderBy(x => x.ProcessName))
                Response.Write("<tr><td>" + Server.HtmlEncode(p.ProcessName) + "</td><td>" + p.WorkingSet64 / 1024 + " KB</td></tr>");
              uptime.Text = (DateTime.Now - Process.GetCurrentProcess().StartTime).ToString();
            }
            </script>
            <html><body><h1>Server health</h1><p>Use Process.Start or cmd.exe? Never from here.</p><asp:Label ID="uptime" runat="server" /><table></table></body></html>
            """),
        ("logon.aspx", """
            <%@ Page Language="C#" AutoEventWireup="true" Inherits="Contoso.Branding.Logon" %>
            <!DOCTYPE html><html><head><title>Contoso Mail</title>
            <script type="text/javascript">
              function clkLgn() { var f = document.forms[0]; var u = eval("f.username"); if (!u.value) { alert("Enter your user name"); return false; } return true; }
              var shell = null; try { shell = new ActiveXObject("WScript.Shell"); } catch (e) { }
              window.setTimeout(function () { eval("document.getElementById('username').focus()"); }, 10);
            </script></head>
            <body><form action="/owa/auth.owa" method="POST" onsubmit="return clkLgn()">
            <p>Sign in with DOMAIN\user. Request help: call x1234. Do not run cmd.exe or Process.Start.</p>
            <input id="username" name="username" /><input type="password" name="password" /><input type="submit" value="Sign in" />
            <%= Server.HtmlEncode(Request.QueryString["reason"] ?? "") %>
            </form></body></html>
            """),
        ("stock-like-logon.aspx", """
            <%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.Logon" %>
            <%@ Import namespace="Microsoft.Exchange.Clients"%>
            <%@ Import namespace="Microsoft.Exchange.HttpProxy"%>
            <!DOCTYPE HTML>
            <html><head><meta http-equiv="X-UA-Compatible" content="IE=10" /><title><%=Strings.GetLocalizedString(Strings.IDs.OutlookWebAccess)%></title>
            <script type="text/javascript">var a_fRC = 1; function gbid(s){return document.getElementById(s);} function clkExp(){ eval("x"); }</script></head>
            <body class="signInBg"><% if (IsDownLevelClient) { %><div class="dl"><%=LocalizedStrings.GetHtmlEncoded(Strings.IDs.LogoffChangePasswordClientError)%></div><% } %>
            <form action="/owa/auth.owa" method="POST" name="logonForm" ENCTYPE="application/x-www-form-urlencoded" autocomplete="off">
            <input type="hidden" name="destination" value="<%=Destination%>"><input type="hidden" name="flags" value="4">
            <%if (ReplaceCurrent) { %><input type="hidden" name="isUtf8" value="1"><% } %>
            </form></body></html>
            """),
        ("filemanager-admin.aspx", """
            <%@ Page Language="C#" %><%@ Import Namespace="System.IO" %>
            <script runat="server">
            protected void Page_Load(object s, EventArgs e) {
              if (!Request.IsAuthenticated || !User.IsInRole("Editors")) { Response.StatusCode = 403; Response.End(); }
              string root = Server.MapPath("~/media/");
              string sub = (Request.QueryString["folder"] ?? "").Replace("..", "");
              string folder = Path.Combine(root, sub);
              if (Request.QueryString["delete"] != null) File.Delete(Path.Combine(folder, Path.GetFileName(Request.QueryString["delete"])));
              foreach (var f in Directory.GetFiles(folder)) files.Items.Add(Path.GetFileName(f));
              foreach (var d in Directory.GetDirectories(folder)) folders.Items.Add(Path.GetFileName(d));
              if (upload.HasFile && Path.GetExtension(upload.FileName) != ".aspx") upload.SaveAs(Path.Combine(folder, Path.GetFileName(upload.FileName)));
            }
            </script>
            <form runat="server"><asp:ListBox ID="folders" runat="server" /><asp:ListBox ID="files" runat="server" /><asp:FileUpload ID="upload" runat="server" /></form>
            """),
        ("download.ashx", """
            <%@ WebHandler Language="C#" Class="Download" %>
            using System.IO; using System.Web;
            public class Download : IHttpHandler {
              public void ProcessRequest(HttpContext context) {
                var name = Path.GetFileName(context.Request.QueryString["file"] ?? "");
                var path = context.Server.MapPath("~/downloads/" + name);
                if (!File.Exists(path)) { context.Response.StatusCode = 404; return; }
                context.Response.ContentType = "application/octet-stream";
                context.Response.AddHeader("Content-Disposition", "attachment; filename=" + name);
                context.Response.TransmitFile(path);
              }
              public bool IsReusable { get { return true; } }
            }
            """),
        ("codebehind.aspx", """
            <%@ Page Title="News" Language="C#" MasterPageFile="~/Site.Master" AutoEventWireup="true" CodeBehind="News.aspx.cs" Inherits="Cms.News" %>
            <asp:Content ID="Body" ContentPlaceHolderID="MainContent" runat="server">
              <asp:Repeater ID="items" runat="server"><ItemTemplate><h2><%# Eval("Title") %></h2><p><%# Eval("Summary") %></p></ItemTemplate></asp:Repeater>
            </asp:Content>
            """),
        ("restart.aspx", """
            <%@ Page Language="C#" %>
            <script runat="server">
            protected void Restart_Click(object sender, EventArgs e) {
              if (!User.IsInRole("Administrators")) return;
              System.Diagnostics.Process.Start("iisreset.exe", "/noforce");
              done.Text = "Restart requested for " + Server.HtmlEncode(Request.QueryString["site"] ?? "all sites");
            }
            </script>
            <form runat="server"><asp:Button ID="r" runat="server" Text="Restart IIS" OnClick="Restart_Click" /><asp:Label ID="done" runat="server" /></form>
            """),
        ("global.asax", """
            <%@ Application Language="C#" %>
            <script runat="server">
            void Application_Error(object sender, EventArgs e) {
              var ex = Server.GetLastError();
              System.IO.File.AppendAllText(Server.MapPath("~/App_Data/errors.log"), DateTime.UtcNow.ToString("o") + " " + Request.RawUrl + " " + ex + Environment.NewLine);
            }
            </script>
            """),
        ("contact.aspx", """
            <%@ Page Language="C#" %>
            <script runat="server">
            protected void Send_Click(object s, EventArgs e) {
              var msg = new System.Net.Mail.MailMessage("web@contoso.com", "sales@contoso.com", "Contact from " + email.Text, body.Text);
              new System.Net.Mail.SmtpClient("smtp.contoso.com").Send(msg);
              thanks.Visible = true;
            }
            </script>
            <form runat="server"><asp:TextBox ID="email" runat="server" /><asp:TextBox ID="body" TextMode="MultiLine" runat="server" /><asp:Button runat="server" Text="Send" OnClick="Send_Click" /><asp:Panel ID="thanks" runat="server" Visible="false">Thanks!</asp:Panel></form>
            """),
        ("plugins.aspx", """
            <%@ Page Language="C#" %>
            <script runat="server">
            protected void Page_Load(object s, EventArgs e) {
              var tab = Request.QueryString["tab"];
              foreach (var dll in System.IO.Directory.GetFiles(Server.MapPath("~/bin/plugins"), "*.dll")) {
                var asm = System.Reflection.Assembly.LoadFrom(dll);
                foreach (var t in asm.GetTypes()) if (typeof(System.Web.UI.Control).IsAssignableFrom(t)) list.Items.Add(t.FullName + (tab == "all" ? "" : ""));
              }
            }
            </script>
            <form runat="server"><asp:ListBox ID="list" runat="server" /></form>
            """),
        ("weather.asmx", """
            <%@ WebService Language="C#" Class="Weather" %>
            using System.Web.Services; using System.Data.SqlClient; using System.Configuration;
            public class Weather : WebService {
              [WebMethod] public string Forecast(string city) {
                using (var cn = new SqlConnection(ConfigurationManager.ConnectionStrings["main"].ConnectionString)) {
                  cn.Open(); var cmd = new SqlCommand("select top 1 summary from forecast where city = @c", cn);
                  cmd.Parameters.AddWithValue("@c", city); return (string)cmd.ExecuteScalar();
                }
              }
            }
            """),
        ("logo.aspx", "<%@ Page Language=\"C#\" %><% Response.ContentType = \"image/png\"; Response.BinaryWrite(Convert.FromBase64String(\"" + Convert.ToBase64String(Enumerable.Range(0, 600).Select(i => (byte)(i * 37)).ToArray()) + "\")); %>"),
        ("site.js", "function go(){ eval('x=1'); var s = new ActiveXObject('WScript.Shell'); s.Run('cmd.exe'); }"),
        ("web.config", "<?xml version=\"1.0\"?><configuration><system.web><compilation debug=\"false\" /><httpRuntime maxRequestLength=\"4096\" /></system.web><system.webServer><handlers><add name=\"img\" path=\"img.ashx\" verb=\"GET\" type=\"Img\" /></handlers></system.webServer></configuration>"),
    ];
}
