using Exhunt.Readers;

namespace Exhunt.Tests.Detection;

/// <summary>WinEventFields.For: the rules of one event share one data index, and it never answers from a stale one.</summary>
public sealed class SharedEventViewTests
{
    private static WinEvent Event(params (string Name, string Value)[] data)
    {
        var e = new WinEvent { Provider = "Microsoft-Windows-Sysmon", Channel = "Microsoft-Windows-Sysmon/Operational", EventId = 1 };
        foreach (var (n, v) in data) e.Data.Add(new(n, v));
        return e;
    }

    private static string? Read(WinEvent e, FieldKey key) => WinEventFields.For(e).TryGet(key, out var v) ? v.ToString() : null;

    [Fact]
    public void Rules_reading_one_event_share_its_view_and_see_each_events_own_values()
    {
        var image = FieldNames.EventData("Image");
        var a = Event(("Image", @"C:\a.exe"), ("image", "second"));
        var b = Event(("CommandLine", "x"));
        Assert.Same(WinEventFields.For(a), WinEventFields.For(a));
        Assert.Equal(@"C:\a.exe", Read(a, image));   // first of the case-insensitive duplicates, as WinEvent.Get
        Assert.Null(Read(b, image));
        Assert.Equal(@"C:\a.exe", Read(a, image));
    }

    [Fact]
    public void A_name_resolved_after_the_event_was_indexed_and_a_value_added_later_are_both_found()
    {
        var image = FieldNames.EventData("Image");
        var name = "SharedViewLate" + Guid.NewGuid().ToString("N");
        var e = Event(("Image", "i"), (name, "late value"));
        Assert.Equal("i", Read(e, image));           // indexed before the late name had a slot
        var late = FieldNames.EventData(name);
        Assert.Equal("late value", Read(e, late));
        e.Data.Add(new("ParentImage", "p"));
        Assert.Equal("p", Read(e, FieldNames.EventData("ParentImage")));
    }

    [Fact]
    public void Event_data_keys_never_read_system_fields()
    {
        // System 104 names the cleared log in its UserData "Channel"; the event's own channel is a System field.
        var e = Event(("Channel", "Application"));
        Assert.Equal("Application", Read(e, FieldNames.EventData("Channel")));
        Assert.Null(Read(Event(), FieldNames.EventData("Channel")));
    }
}
