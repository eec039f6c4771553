using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

internal static class Geo
{
    /// <summary>Points are stored as the type they are queried as (metres): geography, WGS84.</summary>
    public const string Point = "geography(Point,4326)";

    public static void HasGeoIndex<T>(this EntityTypeBuilder<T> b, string property, string name) where T : class =>
        b.HasIndex(property).HasDatabaseName(name).HasMethod("gist");
}

internal sealed class NetworkSubstationConfiguration : IEntityTypeConfiguration<NetworkSubstation>
{
    public void Configure(EntityTypeBuilder<NetworkSubstation> b)
    {
        b.ToTable("network_substations", t => t.HasCheckConstraint("ck_network_substations_status", "status IN ('energized','de_energized')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.Property(x => x.Status).HasDefaultValue("energized");
        b.HasGeoIndex(nameof(NetworkSubstation.Location), "idx_network_substations_location");
    }
}

internal sealed class NetworkFeederConfiguration : IEntityTypeConfiguration<NetworkFeeder>
{
    public void Configure(EntityTypeBuilder<NetworkFeeder> b)
    {
        b.ToTable("network_feeders", t => t.HasCheckConstraint("ck_network_feeders_status", "status IN ('energized','de_energized')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.Property(x => x.Status).HasDefaultValue("energized");
        b.Property(x => x.IsTelemetered).HasDefaultValue(true);
        b.HasOne(x => x.Substation).WithMany(s => s.Feeders).HasForeignKey(x => x.SubstationId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.SubstationId);
        b.HasGeoIndex(nameof(NetworkFeeder.Location), "idx_network_feeders_location");
    }
}

internal sealed class NetworkDeviceConfiguration : IEntityTypeConfiguration<NetworkDevice>
{
    public void Configure(EntityTypeBuilder<NetworkDevice> b)
    {
        b.ToTable("network_devices", t =>
        {
            t.HasCheckConstraint("ck_network_devices_kind", "kind IN ('recloser','fuse','switch')");
            t.HasCheckConstraint("ck_network_devices_status", "status IN ('closed','open')");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.Property(x => x.Status).HasDefaultValue("closed");
        b.HasOne<NetworkFeeder>().WithMany().HasForeignKey(x => x.FeederId).OnDelete(DeleteBehavior.Restrict);
        // Self reference: the migration makes it DEFERRABLE so a tree can be written in any order.
        b.HasOne<NetworkDevice>().WithMany().HasForeignKey(x => x.ParentDeviceId).OnDelete(DeleteBehavior.Restrict)
            .HasConstraintName("fk_network_devices_parent");
        b.HasIndex(x => x.FeederId);
        b.HasIndex(x => x.ParentDeviceId);
        b.HasGeoIndex(nameof(NetworkDevice.Location), "idx_network_devices_location");
    }
}

internal sealed class NetworkDistributionPointConfiguration : IEntityTypeConfiguration<NetworkDistributionPoint>
{
    public void Configure(EntityTypeBuilder<NetworkDistributionPoint> b)
    {
        b.ToTable("network_distribution_points", t => t.HasCheckConstraint("ck_network_distribution_points_status", "status IN ('energized','de_energized')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.Property(x => x.Status).HasDefaultValue("energized");
        b.HasOne<NetworkFeeder>().WithMany().HasForeignKey(x => x.FeederId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<NetworkDevice>().WithMany().HasForeignKey(x => x.ParentDeviceId).OnDelete(DeleteBehavior.Restrict)
            .HasConstraintName("fk_network_distribution_points_parent");
        b.HasIndex(x => x.FeederId);
        b.HasIndex(x => x.ParentDeviceId);
        b.HasGeoIndex(nameof(NetworkDistributionPoint.Location), "idx_network_distribution_points_location");
    }
}

internal sealed class OmsCustomerConfiguration : IEntityTypeConfiguration<OmsCustomer>
{
    public void Configure(EntityTypeBuilder<OmsCustomer> b)
    {
        b.ToTable("oms_customers");
        b.HasKey(x => x.Id);
        b.Property(x => x.Location).HasColumnType(Geo.Point);
        b.HasIndex(x => x.AccountNumber).IsUnique();
        b.HasOne<NetworkDistributionPoint>().WithMany().HasForeignKey(x => x.DistributionPointId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<NetworkFeeder>().WithMany().HasForeignKey(x => x.FeederId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.DistributionPointId);
        b.HasIndex(x => x.FeederId);
        b.HasGeoIndex(nameof(OmsCustomer.Location), "idx_oms_customers_location");
    }
}

internal sealed class OmsSmartMeterConfiguration : IEntityTypeConfiguration<OmsSmartMeter>
{
    public void Configure(EntityTypeBuilder<OmsSmartMeter> b)
    {
        b.ToTable("oms_smart_meters", t => t.HasCheckConstraint("ck_oms_smart_meters_status", "status IN ('active','inactive')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasDefaultValue("active");
        b.HasOne<OmsCustomer>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.CustomerId);
    }
}

internal sealed class OmsOnuDeviceConfiguration : IEntityTypeConfiguration<OmsOnuDevice>
{
    public void Configure(EntityTypeBuilder<OmsOnuDevice> b)
    {
        b.ToTable("oms_onu_devices", t => t.HasCheckConstraint("ck_oms_onu_devices_status", "status IN ('active','inactive')"));
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasDefaultValue("active");
        b.HasOne<OmsCustomer>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.CustomerId);
    }
}
