using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

internal sealed class OmsSourcePollerConfiguration : IEntityTypeConfiguration<OmsSourcePoller>
{
    public void Configure(EntityTypeBuilder<OmsSourcePoller> b)
    {
        b.ToTable("oms_source_pollers", t =>
        {
            t.HasCheckConstraint("ck_oms_source_pollers_source", Checks.In("source", SourceTypes.All));
            t.HasCheckConstraint("ck_oms_source_pollers_kind", Checks.In("kind", PollerKinds.All));
            t.HasCheckConstraint("ck_oms_source_pollers_failures", "consecutive_failures >= 0");
        });
        b.HasKey(x => x.Name);
        b.Property(x => x.UpdatedAt).HasDefaultValueSql("now()");
    }
}

internal sealed class OmsSourcePollerRejectionConfiguration : IEntityTypeConfiguration<OmsSourcePollerRejection>
{
    public void Configure(EntityTypeBuilder<OmsSourcePollerRejection> b)
    {
        b.ToTable("oms_source_poller_rejections");
        b.HasKey(x => x.Id);
        b.Property(x => x.RejectedAt).HasDefaultValueSql("now()");
        b.HasOne<OmsSourcePoller>().WithMany().HasForeignKey(x => x.PollerName).OnDelete(DeleteBehavior.Cascade);
        // Read newest first per poller.
        b.HasIndex(x => new { x.PollerName, x.RejectedAt });
    }
}
