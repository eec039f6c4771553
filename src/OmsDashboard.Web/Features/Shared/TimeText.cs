using System.Globalization;

namespace OmsDashboard.Web.Features.Shared;

/// <summary>
/// Times as a control room reads them: short durations ("12 min", "3 h 05 min") and wall-clock
/// times with their zone ("14:32 UTC"), all invariant (the app runs with invariant globalization).
/// </summary>
public static class TimeText
{
    /// <summary>"&lt;1 min", "12 min", "3 h 05 min", "2 d 4 h"; a negative span is formatted by its size.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = span.Duration();
        }
        if (span < TimeSpan.FromMinutes(1))
        {
            return "<1 min";
        }
        if (span < TimeSpan.FromHours(1))
        {
            return $"{(int)span.TotalMinutes} min";
        }
        if (span < TimeSpan.FromDays(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min");
        }
        return $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>
    /// How long ago <paramref name="at"/> was: <see cref="Duration"/>, or "in …" when it lies ahead
    /// of <paramref name="now"/> (a replayed storm, or a source whose clock runs fast).
    /// </summary>
    public static string Age(DateTimeOffset at, DateTimeOffset now) =>
        at - now >= TimeSpan.FromMinutes(1) ? "in " + Duration(at - now) : Duration(now - at);

    /// <summary>"14:32 UTC" in <paramref name="zone"/>; "26 Nov 14:32 UTC" when not on <paramref name="now"/>'s day.</summary>
    public static string Clock(DateTimeOffset at, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone);
        string format = local.Date == today.Date ? "HH:mm" : "dd MMM HH:mm";
        return local.ToString(format, CultureInfo.InvariantCulture) + " " + ZoneName(local.Offset);
    }

    /// <summary>
    /// The name this app gives <paramref name="zone"/> at <paramref name="at"/> ("UTC", "UTC−05:00"):
    /// what a time field says it reads, so a typed time is read in the zone the screens show.
    /// </summary>
    public static string ZoneAt(DateTimeOffset at, TimeZoneInfo zone) => ZoneName(zone.GetUtcOffset(at));

    private static string ZoneName(TimeSpan offset) =>
        offset == TimeSpan.Zero
            ? "UTC"
            : "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
