using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

internal static class Checks
{
    public static string In(string column, IEnumerable<string> values) =>
        $"{column} IN ({string.Join(',', values.Select(v => $"'{v}'"))})";
}

internal sealed class OmsOutageEventConfiguration : IEntityTypeConfiguration<OmsOutageEvent>
{
    public void Configure(EntityTypeBuilder<OmsOutageEvent> b)
    {
        b.ToTable("oms_outage_events", t =>
        {
            t.HasCheckConstraint("ck_oms_outage_events_status", Checks.In("status", OutageStatuses.All));
            t.HasCheckConstraint("ck_oms_outage_events_severity", Checks.In("severity", Severities.All));
            t.HasCheckConstraint("ck_oms_outage_events_confidence", "confidence_score BETWEEN 0 AND 1");
            t.HasCheckConstraint("ck_oms_outage_events_customers", "affected_customers_count >= 0");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasDefaultValueSql("gen_random_uuid()");
        b.HasIndex(x => x.EventId).IsUnique();
        b.HasIndex(x => x.Number).IsUnique();
        b.Property(x => x.ConfidenceScore).HasPrecision(5, 4);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.Property(x => x.Explanation).HasColumnType("jsonb");
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        b.Property(x => x.UpdatedAt).HasDefaultValueSql("now()");
        b.Property(x => x.Version).IsRowVersion();
        b.HasOne<NetworkFeeder>().WithMany().HasForeignKey(x => x.FeederId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<NetworkSubstation>().WithMany().HasForeignKey(x => x.SubstationId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<OmsOutageEvent>().WithMany().HasForeignKey(x => x.ParentOutageId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<OmsOutageEvent>().WithMany().HasForeignKey(x => x.MergedIntoId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(x => x.Sources).WithOne().HasForeignKey(s => s.OutageEventId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(x => x.Timeline).WithOne().HasForeignKey(s => s.OutageEventId).OnDelete(DeleteBehavior.Cascade);
        // The design's indexes: newest first for the operator's list, spatial for correlation.
        b.HasIndex(x => x.FirstDetectedAt).IsDescending().HasDatabaseName("idx_oms_outage_events_detected");
        b.HasGeoIndex(nameof(OmsOutageEvent.Location), "idx_oms_outage_events_location");
        b.HasIndex(x => x.Status).HasDatabaseName("idx_oms_outage_events_active")
            .HasFilter(Checks.In("status", OutageStatuses.Active));
        b.HasIndex(x => new { x.FeederId, x.FirstDetectedAt });
        b.HasIndex(x => x.DeviceId);
        b.HasIndex(x => x.ParentOutageId);
        b.HasIndex(x => x.MergedIntoId);
    }
}

internal sealed class OmsEventSourceConfiguration : IEntityTypeConfiguration<OmsEventSource>
{
    public void Configure(EntityTypeBuilder<OmsEventSource> b)
    {
        b.ToTable("oms_event_sources", t => t.HasCheckConstraint("ck_oms_event_sources_source_type", Checks.In("source_type", SourceTypes.All)));
        b.HasKey(x => x.Id);
        b.Property(x => x.Weight).HasPrecision(5, 4);
        // A signal is evidence for one outage at a time (merges move it).
        b.HasIndex(x => new { x.SourceType, x.SourceEventId }).IsUnique();
        b.HasIndex(x => new { x.OutageEventId, x.SourceType, x.DetectedAt }).HasDatabaseName("idx_oms_event_sources_correlation");
        b.HasIndex(x => x.CustomerId);
    }
}

internal sealed class OmsEventTimelineConfiguration : IEntityTypeConfiguration<OmsEventTimelineEntry>
{
    public void Configure(EntityTypeBuilder<OmsEventTimelineEntry> b)
    {
        b.ToTable("oms_event_timeline");
        b.HasKey(x => x.Id);
        b.Property(x => x.Details).HasColumnType("jsonb");
        b.HasIndex(x => new { x.OutageEventId, x.OccurredAt });
    }
}

internal sealed class OmsCorrelationStateConfiguration : IEntityTypeConfiguration<OmsCorrelationState>
{
    public void Configure(EntityTypeBuilder<OmsCorrelationState> b)
    {
        b.ToTable("oms_correlation_state", t => t.HasCheckConstraint("ck_oms_correlation_state_single_row", "id = 1"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasData(new OmsCorrelationState { Id = 1, NextOutageNumber = 1, UpdatedAt = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) });
    }
}

internal sealed class OmsMomentaryEventConfiguration : IEntityTypeConfiguration<OmsMomentaryEvent>
{
    public void Configure(EntityTypeBuilder<OmsMomentaryEvent> b)
    {
        b.ToTable("oms_momentary_events");
        b.HasKey(x => x.Id);
        b.HasIndex(x => x.OccurredAt);
    }
}
