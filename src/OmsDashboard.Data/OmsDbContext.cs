using Microsoft.EntityFrameworkCore;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data;

/// <summary>
/// The OMS database: topology, customers and assets, the four source tables, outages and their
/// sources and timeline, crews, notifications and configuration. Names are snake_case as in
/// the design. Migrations live beside this class; add one with
/// <c>dotnet ef migrations add Name -c OmsDbContext -p src/OmsDashboard.Data -s src/OmsDashboard.Data</c>
/// (design-time factory: <see cref="DesignTimeDbContextFactory"/>).
/// </summary>
public sealed class OmsDbContext(DbContextOptions<OmsDbContext> options) : DbContext(options)
{
    public DbSet<NetworkSubstation> Substations => Set<NetworkSubstation>();
    public DbSet<NetworkFeeder> Feeders => Set<NetworkFeeder>();
    public DbSet<NetworkDevice> Devices => Set<NetworkDevice>();
    public DbSet<NetworkDistributionPoint> DistributionPoints => Set<NetworkDistributionPoint>();
    public DbSet<OmsCustomer> Customers => Set<OmsCustomer>();
    public DbSet<OmsSmartMeter> SmartMeters => Set<OmsSmartMeter>();
    public DbSet<OmsOnuDevice> OnuDevices => Set<OmsOnuDevice>();
    public DbSet<ScadaEvent> ScadaEvents => Set<ScadaEvent>();
    public DbSet<KaifaEvent> KaifaEvents => Set<KaifaEvent>();
    public DbSet<OnuEvent> OnuEvents => Set<OnuEvent>();
    public DbSet<CallcenterTicket> CallcenterTickets => Set<CallcenterTicket>();
    public DbSet<OmsOutageEvent> OutageEvents => Set<OmsOutageEvent>();
    public DbSet<OmsEventSource> EventSources => Set<OmsEventSource>();
    public DbSet<OmsEventTimelineEntry> EventTimeline => Set<OmsEventTimelineEntry>();
    public DbSet<OmsCrew> Crews => Set<OmsCrew>();
    public DbSet<OmsCrewAssignment> CrewAssignments => Set<OmsCrewAssignment>();
    public DbSet<OmsCustomerNotification> CustomerNotifications => Set<OmsCustomerNotification>();
    public DbSet<OmsCorrelationRule> CorrelationRules => Set<OmsCorrelationRule>();
    public DbSet<OmsSourceWeight> SourceWeights => Set<OmsSourceWeight>();
    public DbSet<OmsStormModeSettings> StormModeSettings => Set<OmsStormModeSettings>();
    public DbSet<OmsStormModeState> StormModeState => Set<OmsStormModeState>();
    public DbSet<OmsCorrelationState> CorrelationState => Set<OmsCorrelationState>();
    public DbSet<OmsMomentaryEvent> MomentaryEvents => Set<OmsMomentaryEvent>();
    public DbSet<OmsApiKey> ApiKeys => Set<OmsApiKey>();
    public DbSet<OmsSourcePoller> SourcePollers => Set<OmsSourcePoller>();
    public DbSet<OmsSourcePollerRejection> SourcePollerRejections => Set<OmsSourcePollerRejection>();
    public DbSet<OmsConfigurationAudit> ConfigurationAudit => Set<OmsConfigurationAudit>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("postgis");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OmsDbContext).Assembly);
    }
}
