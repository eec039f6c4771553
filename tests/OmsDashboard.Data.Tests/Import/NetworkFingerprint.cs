using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Import;

/// <summary>
/// A fingerprint of everything an import may touch: each network table's content hash, row count
/// and the newest transaction id that wrote a row (xmin), so "nothing changed" can be asserted
/// exactly, including rows rewritten with identical values.
/// </summary>
internal static class NetworkFingerprint
{
    public static readonly string[] Tables =
    [
        "network_substations", "network_feeders", "network_devices", "network_distribution_points",
        "oms_customers", "oms_smart_meters", "oms_onu_devices",
    ];

    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(TestDatabase db)
    {
        var result = new Dictionary<string, string>();
        foreach (var table in Tables)
        {
            result[table] = await db.ScalarAsync<string>($"""
                SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '-') || ':' ||
                       coalesce(max(t.xmin::text::bigint), 0)
                  FROM {table} t
                """);
        }
        return result;
    }

    public static async Task<long> CountAsync(TestDatabase db, string table, string where = "true") =>
        await db.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE {where}");
}
