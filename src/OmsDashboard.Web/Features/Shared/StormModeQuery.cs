using Npgsql;
using OmsDashboard.Web.Realtime;

namespace OmsDashboard.Web.Features.Shared;

/// <summary>
/// Storm mode as stored (<c>oms_storm_mode_state</c>, one row the correlation pass keeps), in the
/// shape the push sends it: screens read it once at start, then follow <see cref="StormUpdate"/>s.
/// </summary>
public static class StormModeQuery
{
    /// <summary>Storm mode off, standard rules: what a fresh database says, and the fallback.</summary>
    public static StormUpdate Off { get; } = new(false, null, "", "standard");

    public static async Task<StormUpdate> GetAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT is_active, since, reason, active_rule_set FROM oms_storm_mode_state WHERE id = 1");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return Off;
        }
        return new StormUpdate(
            reader.GetBoolean(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
            reader.IsDBNull(2) ? "" : reader.GetString(2),
            reader.GetString(3));
    }
}
