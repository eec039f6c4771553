using Npgsql;

namespace OmsDashboard.Data.Rules;

/// <summary>Storm mode as the operator sets it: automatic (thresholds decide), or forced on / off.</summary>
public enum StormOverride
{
    Automatic,
    On,
    Off,
}

/// <summary>Storm mode now (<c>oms_storm_mode_state</c>).</summary>
public sealed record StormStatus(bool Active, DateTimeOffset? Since, string Reason, string RuleSet, int SignalsLastHour);

/// <summary>
/// The stored settings as one page saw them: every value by <see cref="SettingDefinition.Id"/>,
/// each row's version (PostgreSQL's <c>xmin</c>) by <see cref="SettingDefinition.Row"/> for
/// optimistic concurrency, the storm override and storm mode now.
/// </summary>
public sealed record RulesSnapshot(
    IReadOnlyDictionary<string, decimal> Values,
    IReadOnlyDictionary<string, long> RowVersions,
    IReadOnlyDictionary<string, string> Descriptions,
    StormOverride Override,
    StormStatus Storm)
{
    public long StormSettingsVersion => RowVersions[$"{RuleCatalog.StormEntity}.{RuleCatalog.StormKey}"];
}

public enum SaveStatus
{
    Saved,
    NothingChanged,
    Invalid,
    Conflict,
}

/// <summary>What a save did: <see cref="Errors"/> by field id when invalid, <see cref="Message"/> for a conflict.</summary>
public sealed record SaveOutcome(SaveStatus Status, int Changed, IReadOnlyDictionary<string, string> Errors, string Message, StormStatus? Storm = null)
{
    internal static SaveOutcome Invalid(Dictionary<string, string> errors) => new(SaveStatus.Invalid, 0, errors, "Some values are not valid; nothing was saved.");

    internal static SaveOutcome Conflict(string what) => new(SaveStatus.Conflict, 0, new Dictionary<string, string>(),
        $"Someone else changed {what} since you opened this page. Nothing was saved: reload to see their values, then make your change again.");
}

/// <summary>One audit row, for the page.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset ChangedAt, string UserName, string Entity, string Key, string Field,
    string? OldValue, string? NewValue, string? Reason);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long Total);

/// <summary>
/// Reads and writes the correlation rules, source weights and storm settings the correlation pass
/// runs on (<c>EngineSettings</c>), with an audit row per changed value in the same transaction.
/// Each save re-validates everything (<see cref="RulesValidator"/>) and updates only rows whose
/// <c>xmin</c> is still the one the page read, so two operators cannot silently overwrite each
/// other. Every write moves the row's <c>updated_at</c>, which is what makes the next pass rebuild
/// its engine on the new values.
/// </summary>
public sealed class RulesStore(NpgsqlDataSource dataSource)
{
    private const int UserNameMaxLength = 256;

    public async Task<RulesSnapshot> LoadAsync(CancellationToken ct = default)
    {
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand("""
            SELECT name, extract(epoch FROM time_window) / 60, spatial_radius_meters, confidence_threshold, coalesce(description, ''), xmin::text::bigint
              FROM oms_correlation_rules
            """, connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                string key = r.GetString(0);
                values[RuleCatalog.Id(RuleCatalog.RuleEntity, key, RuleCatalog.TimeWindow)] = r.GetDecimal(1);
                values[RuleCatalog.Id(RuleCatalog.RuleEntity, key, RuleCatalog.Radius)] = (decimal)r.GetDouble(2);
                values[RuleCatalog.Id(RuleCatalog.RuleEntity, key, RuleCatalog.Threshold)] = r.GetDecimal(3);
                descriptions[key] = r.GetString(4);
                versions[$"{RuleCatalog.RuleEntity}.{key}"] = r.GetInt64(5);
            }
        }
        await using (var cmd = new NpgsqlCommand("SELECT source_type, weight, xmin::text::bigint FROM oms_source_weights", connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                values[RuleCatalog.Id(RuleCatalog.WeightEntity, r.GetString(0), RuleCatalog.Weight)] = r.GetDecimal(1);
                versions[$"{RuleCatalog.WeightEntity}.{r.GetString(0)}"] = r.GetInt64(2);
            }
        }
        StormOverride mode;
        await using (var cmd = new NpgsqlCommand("""
            SELECT activation_signals_per_hour, deactivation_signals_per_hour, extract(epoch FROM minimum_active_duration) / 60,
                   manual_override, xmin::text::bigint
              FROM oms_storm_mode_settings WHERE id = 1
            """, connection))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) throw new InvalidOperationException("oms_storm_mode_settings has no row: the database is not migrated");
            values[StormId(RuleCatalog.Activation)] = r.GetInt32(0);
            values[StormId(RuleCatalog.Deactivation)] = r.GetInt32(1);
            values[StormId(RuleCatalog.MinimumOn)] = r.GetDecimal(2);
            mode = ParseOverride(r.IsDBNull(3) ? null : r.GetString(3));
            versions[$"{RuleCatalog.StormEntity}.{RuleCatalog.StormKey}"] = r.GetInt64(4);
        }
        return new RulesSnapshot(values, versions, descriptions, mode, await ReadStormAsync(connection, ct));
    }

    /// <summary>
    /// Saves the values that differ from <paramref name="basis"/> (what the page loaded), with one
    /// audit row each, in one transaction — or nothing: when a value is invalid, or a row changed
    /// since <paramref name="basis"/> was read.
    /// </summary>
    public async Task<SaveOutcome> SaveAsync(RulesSnapshot basis, IReadOnlyDictionary<string, decimal?> edited, string? userName, string? reason,
        CancellationToken ct = default)
    {
        // Everything the page sends is checked again here: the circuit runs on the server, but its
        // inputs come from a browser.
        var merged = RuleCatalog.All.ToDictionary(s => s.Id, s => edited.TryGetValue(s.Id, out var v) ? v : basis.Values.GetValueOrDefault(s.Id));
        var errors = RulesValidator.Validate(merged);
        if (RulesValidator.ValidateReason(reason, required: false) is { } reasonError) errors[RulesValidator.ReasonKey] = reasonError;
        if (errors.Count > 0) return SaveOutcome.Invalid(errors);

        var changed = RuleCatalog.All.Where(s => merged[s.Id] != basis.Values.GetValueOrDefault(s.Id)).ToList();
        if (changed.Count == 0) return new SaveOutcome(SaveStatus.NothingChanged, 0, new Dictionary<string, string>(), "Nothing to save: no value differs from the stored one.");

        string user = UserName(userName);
        string? why = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var row in changed.GroupBy(s => s.Row))
        {
            var first = row.First();
            if (!basis.RowVersions.TryGetValue(row.Key, out long version)) return SaveOutcome.Conflict(Title(first));
            await using var cmd = UpdateRow(connection, first.Entity, first.Key, row.ToList(), merged, user, version);
            if (await cmd.ExecuteNonQueryAsync(ct) != 1)
            {
                await tx.RollbackAsync(ct);
                return SaveOutcome.Conflict(Title(first));
            }
        }
        foreach (var s in changed)
        {
            await InsertAuditAsync(connection, user, s.Entity, s.Key, s.Field, s.Format(basis.Values.GetValueOrDefault(s.Id)), s.Format(merged[s.Id]!.Value), why, ct);
        }
        await tx.CommitAsync(ct);
        return new SaveOutcome(SaveStatus.Saved, changed.Count, new Dictionary<string, string>(), $"Saved {changed.Count} change{(changed.Count == 1 ? "" : "s")}; the next correlation pass uses them.");
    }

    /// <summary>
    /// Forces storm mode on or off, or returns it to automatic, with an audit row; a forced mode is
    /// written to the storm-mode state at once (so every banner shows it now), the engine follows at
    /// its next pass. <paramref name="basisVersion"/> is the storm settings row's version the page read.
    /// </summary>
    public async Task<SaveOutcome> SetStormOverrideAsync(StormOverride mode, string? reason, string? userName, long basisVersion, CancellationToken ct = default)
    {
        if (RulesValidator.ValidateReason(reason, required: true) is { } reasonError)
        {
            return SaveOutcome.Invalid(new Dictionary<string, string> { [RulesValidator.ReasonKey] = reasonError });
        }
        if (!Enum.IsDefined(mode))
        {
            return SaveOutcome.Invalid(new Dictionary<string, string> { [RuleCatalog.OverrideField] = "Automatic, on or off." });
        }
        string user = UserName(userName);
        string why = reason!.Trim();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        string? old;
        await using (var cmd = new NpgsqlCommand("SELECT manual_override FROM oms_storm_mode_settings WHERE id = 1 AND xmin::text::bigint = @v FOR UPDATE", connection))
        {
            cmd.Parameters.AddWithValue("v", basisVersion);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                await r.DisposeAsync();
                await tx.RollbackAsync(ct);
                return SaveOutcome.Conflict("the storm settings");
            }
            old = r.IsDBNull(0) ? null : r.GetString(0);
        }
        if (ParseOverride(old) == mode)
        {
            await tx.RollbackAsync(ct);
            return new SaveOutcome(SaveStatus.NothingChanged, 0, new Dictionary<string, string>(), $"Storm mode is already {Describe(mode)}.");
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE oms_storm_mode_settings SET manual_override = @mode, updated_at = now(), updated_by = @user WHERE id = 1
            """, connection))
        {
            cmd.Parameters.AddWithValue("mode", (object?)StoredOverride(mode) ?? DBNull.Value);
            cmd.Parameters.AddWithValue("user", user);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await InsertAuditAsync(connection, user, RuleCatalog.OverrideEntity, RuleCatalog.StormKey, RuleCatalog.OverrideField,
            Describe(ParseOverride(old)), Describe(mode), why, ct);
        // Forced: storm mode is what the operator said from now on. Automatic: the state stays until
        // the next pass has evaluated the thresholds (and corrects the row if they disagree).
        await using (var cmd = new NpgsqlCommand(mode == StormOverride.Automatic
            ? "UPDATE oms_storm_mode_state SET reason = @reason, updated_at = now() WHERE id = 1"
            : "UPDATE oms_storm_mode_state SET is_active = @active, since = now(), reason = @reason, active_rule_set = @rules, updated_at = now() WHERE id = 1",
            connection))
        {
            cmd.Parameters.AddWithValue("active", mode == StormOverride.On);
            cmd.Parameters.AddWithValue("rules", mode == StormOverride.On ? "storm" : "standard");
            cmd.Parameters.AddWithValue("reason", mode == StormOverride.Automatic
                ? $"back to automatic ({user}: {why})"
                : $"forced {(mode == StormOverride.On ? "on" : "off")} by {user}: {why}");
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var storm = await ReadStormAsync(connection, ct);
        await tx.CommitAsync(ct);
        return new SaveOutcome(SaveStatus.Saved, 1, new Dictionary<string, string>(), $"Storm mode is now {Describe(mode)}.", storm);
    }

    /// <summary>A page of the audit trail, newest first.</summary>
    public async Task<AuditPage> AuditAsync(int page, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        long total;
        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM oms_configuration_audit", connection))
        {
            total = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var entries = new List<AuditEntry>(pageSize);
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, changed_at, user_name, entity, key, field, old_value, new_value, reason
              FROM oms_configuration_audit ORDER BY changed_at DESC, id DESC LIMIT @limit OFFSET @offset
            """, connection))
        {
            cmd.Parameters.AddWithValue("limit", pageSize);
            cmd.Parameters.AddWithValue("offset", (long)Math.Max(page, 0) * pageSize);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                entries.Add(new AuditEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
            }
        }
        return new AuditPage(entries, total);
    }

    public static string Describe(StormOverride mode) => mode switch
    {
        StormOverride.On => "forced on",
        StormOverride.Off => "forced off",
        _ => "automatic",
    };

    private static string? StoredOverride(StormOverride mode) => mode switch
    {
        StormOverride.On => "on",
        StormOverride.Off => "off",
        _ => null,
    };

    private static StormOverride ParseOverride(string? stored) => stored switch
    {
        "on" => StormOverride.On,
        "off" => StormOverride.Off,
        _ => StormOverride.Automatic,
    };

    private static string StormId(string field) => RuleCatalog.Id(RuleCatalog.StormEntity, RuleCatalog.StormKey, field);

    private static string UserName(string? name)
    {
        string n = string.IsNullOrWhiteSpace(name) ? "unknown" : name.Trim();
        return n.Length > UserNameMaxLength ? n[..UserNameMaxLength] : n;
    }

    private static string Title(SettingDefinition s) => s.Entity switch
    {
        RuleCatalog.RuleEntity => $"the {RuleCatalog.RuleSets.First(r => r.Key == s.Key).Title.ToLowerInvariant()} rule set",
        RuleCatalog.WeightEntity => $"the {RuleCatalog.Sources.First(r => r.Key == s.Key).Title} weight",
        _ => "the storm settings",
    };

    /// <summary>
    /// One row's update, guarded by its version: it matches no row when someone else's change
    /// committed first (PostgreSQL re-checks the condition on the newest row version).
    /// </summary>
    private static NpgsqlCommand UpdateRow(NpgsqlConnection connection, string entity, string key, List<SettingDefinition> fields,
        Dictionary<string, decimal?> values, string user, long version)
    {
        var (table, row) = entity switch
        {
            RuleCatalog.RuleEntity => ("oms_correlation_rules", "name = @key"),
            RuleCatalog.WeightEntity => ("oms_source_weights", "source_type = @key"),
            RuleCatalog.StormEntity => ("oms_storm_mode_settings", "id = 1"),
            _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, "not a settings table"),
        };
        var cmd = new NpgsqlCommand { Connection = connection };
        var sets = new List<string>();
        for (int i = 0; i < fields.Count; i++)
        {
            // Column names come from the catalog, never from the caller.
            var f = fields[i];
            decimal v = values[f.Id]!.Value;
            sets.Add($"{f.Field} = @p{i}");
            cmd.Parameters.AddWithValue($"p{i}", f.Field switch
            {
                RuleCatalog.TimeWindow or RuleCatalog.MinimumOn => TimeSpan.FromMinutes((double)v),
                RuleCatalog.Radius => (double)v,
                RuleCatalog.Activation or RuleCatalog.Deactivation => (int)v,
                _ => (object)v,
            });
        }
        cmd.CommandText = $"UPDATE {table} SET {string.Join(", ", sets)}, updated_at = now(), updated_by = @user WHERE {row} AND xmin::text::bigint = @version";
        cmd.Parameters.AddWithValue("user", user);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("version", version);
        return cmd;
    }

    private static async Task InsertAuditAsync(NpgsqlConnection connection, string user, string entity, string key, string field,
        string? oldValue, string? newValue, string? reason, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oms_configuration_audit (changed_at, user_name, entity, key, field, old_value, new_value, reason)
            VALUES (now(), @user, @entity, @key, @field, @old, @new, @reason)
            """, connection);
        cmd.Parameters.AddWithValue("user", user);
        cmd.Parameters.AddWithValue("entity", entity);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("field", field);
        cmd.Parameters.AddWithValue("old", (object?)oldValue ?? DBNull.Value);
        cmd.Parameters.AddWithValue("new", (object?)newValue ?? DBNull.Value);
        cmd.Parameters.AddWithValue("reason", (object?)reason ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<StormStatus> ReadStormAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT is_active, since, coalesce(reason, ''), active_rule_set, signals_last_hour FROM oms_storm_mode_state WHERE id = 1", connection);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return new StormStatus(false, null, "", "standard", 0);
        return new StormStatus(r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetInt32(4));
    }
}
