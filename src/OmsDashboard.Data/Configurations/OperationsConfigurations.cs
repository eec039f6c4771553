using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

internal sealed class OmsCrewConfiguration : IEntityTypeConfiguration<OmsCrew>
{
    public void Configure(EntityTypeBuilder<OmsCrew> b)
    {
        b.ToTable("oms_crews", t => t.HasCheckConstraint("ck_oms_crews_status",
            Checks.In("status", ["available", "dispatched", "en_route", "on_site", "off_duty"])));
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasDefaultValue("available");
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.HasGeoIndex(nameof(OmsCrew.Location), "idx_oms_crews_location");
    }
}

internal sealed class OmsCrewAssignmentConfiguration : IEntityTypeConfiguration<OmsCrewAssignment>
{
    public void Configure(EntityTypeBuilder<OmsCrewAssignment> b)
    {
        b.ToTable("oms_crew_assignments", t => t.HasCheckConstraint("ck_oms_crew_assignments_status",
            Checks.In("status", ["assigned", "en_route", "on_site", "completed", "cancelled"])));
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasDefaultValue("assigned");
        b.HasOne<OmsCrew>().WithMany().HasForeignKey(x => x.CrewId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<OmsOutageEvent>().WithMany().HasForeignKey(x => x.OutageEventId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.CrewId);
        b.HasIndex(x => x.OutageEventId);
    }
}

internal sealed class OmsCustomerNotificationConfiguration : IEntityTypeConfiguration<OmsCustomerNotification>
{
    public void Configure(EntityTypeBuilder<OmsCustomerNotification> b)
    {
        b.ToTable("oms_customer_notifications", t =>
        {
            t.HasCheckConstraint("ck_oms_customer_notifications_channel", Checks.In("channel", ["sms", "email", "voice", "push"]));
            t.HasCheckConstraint("ck_oms_customer_notifications_type", Checks.In("notification_type", ["outage_detected", "etr_update", "restored"]));
            t.HasCheckConstraint("ck_oms_customer_notifications_status", Checks.In("status", ["pending", "sent", "delivered", "failed"]));
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasDefaultValue("pending");
        b.HasOne<OmsOutageEvent>().WithMany().HasForeignKey(x => x.OutageEventId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OmsCustomer>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.OutageEventId);
        b.HasIndex(x => x.CustomerId);
        b.HasIndex(x => x.Status).HasFilter("status = 'pending'");
    }
}

internal sealed class OmsCorrelationRuleConfiguration : IEntityTypeConfiguration<OmsCorrelationRule>
{
    public void Configure(EntityTypeBuilder<OmsCorrelationRule> b)
    {
        b.ToTable("oms_correlation_rules", t =>
        {
            t.HasCheckConstraint("ck_oms_correlation_rules_window", "time_window > interval '0'");
            t.HasCheckConstraint("ck_oms_correlation_rules_radius", "spatial_radius_meters > 0");
            t.HasCheckConstraint("ck_oms_correlation_rules_threshold", "confidence_threshold BETWEEN 0 AND 1");
        });
        b.HasKey(x => x.Id);
        b.HasIndex(x => x.Name).IsUnique();
        b.Property(x => x.ConfidenceThreshold).HasPrecision(5, 4);
        var seeded = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        // The design's three rule sets.
        b.HasData(
            new OmsCorrelationRule { Id = 1, Name = "standard", TimeWindow = TimeSpan.FromMinutes(30), SpatialRadiusMeters = 1000, ConfidenceThreshold = 0.7m, Description = "Normal operation", UpdatedAt = seeded },
            new OmsCorrelationRule { Id = 2, Name = "storm", TimeWindow = TimeSpan.FromMinutes(60), SpatialRadiusMeters = 2000, ConfidenceThreshold = 0.5m, Description = "Storm mode: relaxed windows for high volume", UpdatedAt = seeded },
            new OmsCorrelationRule { Id = 3, Name = "scada_priority", TimeWindow = TimeSpan.FromMinutes(15), SpatialRadiusMeters = 500, ConfidenceThreshold = 0.9m, Description = "Evidence led by a SCADA operation", UpdatedAt = seeded });
    }
}

internal sealed class OmsSourceWeightConfiguration : IEntityTypeConfiguration<OmsSourceWeight>
{
    public void Configure(EntityTypeBuilder<OmsSourceWeight> b)
    {
        b.ToTable("oms_source_weights", t =>
        {
            t.HasCheckConstraint("ck_oms_source_weights_source_type", Checks.In("source_type", SourceTypes.All));
            t.HasCheckConstraint("ck_oms_source_weights_weight", "weight > 0 AND weight <= 1");
        });
        b.HasKey(x => x.SourceType);
        b.Property(x => x.Weight).HasPrecision(5, 4);
        var seeded = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        b.HasData(
            new OmsSourceWeight { SourceType = SourceTypes.Scada, Weight = 1.0m, UpdatedAt = seeded },
            new OmsSourceWeight { SourceType = SourceTypes.Kaifa, Weight = 0.8m, UpdatedAt = seeded },
            new OmsSourceWeight { SourceType = SourceTypes.Onu, Weight = 0.6m, UpdatedAt = seeded },
            new OmsSourceWeight { SourceType = SourceTypes.Callcenter, Weight = 0.4m, UpdatedAt = seeded });
    }
}

internal sealed class OmsStormModeSettingsConfiguration : IEntityTypeConfiguration<OmsStormModeSettings>
{
    public void Configure(EntityTypeBuilder<OmsStormModeSettings> b)
    {
        b.ToTable("oms_storm_mode_settings", t =>
        {
            t.HasCheckConstraint("ck_oms_storm_mode_settings_single_row", "id = 1");
            t.HasCheckConstraint("ck_oms_storm_mode_settings_hysteresis", "deactivation_signals_per_hour < activation_signals_per_hour");
            t.HasCheckConstraint("ck_oms_storm_mode_settings_override", "manual_override IS NULL OR manual_override IN ('on','off')");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasData(new OmsStormModeSettings
        {
            Id = 1,
            ActivationSignalsPerHour = 100, // the design's threshold
            DeactivationSignalsPerHour = 50,
            MinimumActiveDuration = TimeSpan.FromMinutes(30),
            UpdatedAt = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        });
    }
}

internal sealed class OmsStormModeStateConfiguration : IEntityTypeConfiguration<OmsStormModeState>
{
    public void Configure(EntityTypeBuilder<OmsStormModeState> b)
    {
        b.ToTable("oms_storm_mode_state", t => t.HasCheckConstraint("ck_oms_storm_mode_state_single_row", "id = 1"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasData(new OmsStormModeState
        {
            Id = 1,
            IsActive = false,
            ActiveRuleSet = "standard",
            UpdatedAt = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        });
    }
}

internal sealed class OmsConfigurationAuditConfiguration : IEntityTypeConfiguration<OmsConfigurationAudit>
{
    public void Configure(EntityTypeBuilder<OmsConfigurationAudit> b)
    {
        b.ToTable("oms_configuration_audit", t =>
        {
            t.HasCheckConstraint("ck_oms_configuration_audit_entity",
                Checks.In("entity", ["rule", "source_weight", "storm_settings", "storm_override"]));
            t.HasCheckConstraint("ck_oms_configuration_audit_user_name", "length(user_name) BETWEEN 1 AND 256");
            t.HasCheckConstraint("ck_oms_configuration_audit_reason", "reason IS NULL OR length(reason) <= 500");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.ChangedAt).HasDefaultValueSql("now()");
        // The page reads newest first, a page at a time.
        b.HasIndex(x => new { x.ChangedAt, x.Id }).IsDescending(true, true);
    }
}
