using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

// The source tables are hash-partitioned, which EF migrations cannot express: they are created
// by Sql/source_tables.sql in the migration and excluded from EF's own table creation.

internal static class SignalMapping
{
    public static void MapCommon<T>(EntityTypeBuilder<T> b, string table) where T : SourceSignal
    {
        b.ToTable(table, t => t.ExcludeFromMigrations());
        b.Property(x => x.Seq).ValueGeneratedOnAdd();
        b.Property(x => x.IngestedAt).ValueGeneratedOnAdd();
        b.Property(x => x.CorrelationState).HasDefaultValue(CorrelationStates.Pending);
    }
}

internal sealed class ScadaEventConfiguration : IEntityTypeConfiguration<ScadaEvent>
{
    public void Configure(EntityTypeBuilder<ScadaEvent> b)
    {
        SignalMapping.MapCommon(b, "scada_events");
        b.HasKey(x => x.EventId);
    }
}

internal sealed class KaifaEventConfiguration : IEntityTypeConfiguration<KaifaEvent>
{
    public void Configure(EntityTypeBuilder<KaifaEvent> b)
    {
        SignalMapping.MapCommon(b, "kaifa_events");
        b.HasKey(x => x.EventId);
    }
}

internal sealed class OnuEventConfiguration : IEntityTypeConfiguration<OnuEvent>
{
    public void Configure(EntityTypeBuilder<OnuEvent> b)
    {
        SignalMapping.MapCommon(b, "onu_events");
        b.HasKey(x => x.EventId);
    }
}

internal sealed class CallcenterTicketConfiguration : IEntityTypeConfiguration<CallcenterTicket>
{
    public void Configure(EntityTypeBuilder<CallcenterTicket> b)
    {
        SignalMapping.MapCommon(b, "callcenter_tickets");
        b.HasKey(x => x.TicketId);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
    }
}
