using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <summary>
    /// Indexes for keyset paging on the outage page and the operators' list. SQL only: EF's model
    /// (and so the snapshot) has no way to say a descending partial index with a tie-breaker, and
    /// leaving the snapshot alone keeps this migration independent of other branches' model changes.
    /// </summary>
    [DbContext(typeof(OmsDbContext))]
    [Migration("20261127180000_OutageDetailIndexes")]
    public partial class OutageDetailIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The active list newest first, page after page: (first_detected_at, event_id) < cursor.
            migrationBuilder.Sql("""
                CREATE INDEX idx_oms_outage_events_active_order ON oms_outage_events (first_detected_at DESC, event_id DESC)
                 WHERE status IN ('unconfirmed','probable','confirmed');
                """);
            // An outage's evidence newest first, page after page, whatever the source.
            migrationBuilder.Sql("""
                CREATE INDEX idx_oms_event_sources_outage_time ON oms_event_sources (outage_event_id, detected_at DESC, id DESC);
                """);
            // A feeder outage's customers by id, page after page, without sorting the whole feeder.
            migrationBuilder.Sql("""
                CREATE INDEX idx_oms_customers_feeder_order ON oms_customers (feeder_id, id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS idx_oms_customers_feeder_order;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS idx_oms_event_sources_outage_time;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS idx_oms_outage_events_active_order;");
        }
    }
}
