using Npgsql;
using OmsDashboard.Domain.Correlation;

namespace OmsDashboard.Data.Correlation;

/// <summary>
/// The engine's configuration as stored: the rule sets (<c>oms_correlation_rules</c>), the source
/// weights (<c>oms_source_weights</c>) and the storm-mode thresholds and override
/// (<c>oms_storm_mode_settings</c>). <see cref="Version"/> changes whenever any of them does, so a
/// pass knows to rebuild its engine.
/// </summary>
internal sealed record EngineSettings(EngineOptions Options, StormSettings Storm, bool? ManualStorm, string Version)
{
    public static async Task<EngineSettings> ReadAsync(NpgsqlConnection connection, EngineOptions? baseline, CancellationToken ct)
    {
        var options = baseline ?? new EngineOptions();
        var rules = new Dictionary<string, RuleSet>();
        await using (var cmd = new NpgsqlCommand("SELECT name, time_window, spatial_radius_meters, confidence_threshold FROM oms_correlation_rules", connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                string name = r.GetString(0);
                var defaults = name switch { "storm" => options.Storm, "scada_priority" => options.ScadaPriority, _ => options.Standard };
                rules[name] = defaults with { TimeWindow = r.GetFieldValue<TimeSpan>(1), SpatialRadiusMeters = r.GetDouble(2), ConfidenceThreshold = (double)r.GetDecimal(3) };
            }
        }
        var weights = options.Weights;
        await using (var cmd = new NpgsqlCommand("SELECT source_type, weight FROM oms_source_weights", connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                double w = (double)r.GetDecimal(1);
                weights = r.GetString(0) switch
                {
                    "scada" => weights with { Scada = w },
                    "kaifa" => weights with { Kaifa = w },
                    "onu" => weights with { Onu = w },
                    _ => weights with { Callcenter = w },
                };
            }
        }
        StormSettings storm = new();
        bool? manual = null;
        string version;
        await using (var cmd = new NpgsqlCommand("""
            SELECT s.activation_signals_per_hour, s.deactivation_signals_per_hour, s.minimum_active_duration, s.manual_override,
                   greatest(s.updated_at, (SELECT max(updated_at) FROM oms_correlation_rules), (SELECT max(updated_at) FROM oms_source_weights))::text
              FROM oms_storm_mode_settings s WHERE s.id = 1
            """, connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            storm = new StormSettings(r.GetInt32(0), r.GetInt32(1), r.GetFieldValue<TimeSpan>(2));
            manual = r.IsDBNull(3) ? null : r.GetString(3) == "on";
            version = r.GetString(4);
        }
        options = options with
        {
            Standard = rules.GetValueOrDefault("standard", options.Standard),
            Storm = rules.GetValueOrDefault("storm", options.Storm),
            ScadaPriority = rules.GetValueOrDefault("scada_priority", options.ScadaPriority),
            Weights = weights,
        };
        return new EngineSettings(options, storm, manual, version);
    }
}
