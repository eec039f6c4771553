using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class CorrelationPass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "number",
                table: "oms_outage_events",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "probable_at",
                table: "oms_outage_events",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "oms_correlation_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    processed_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    next_outage_number = table.Column<long>(type: "bigint", nullable: false),
                    passes = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_correlation_state", x => x.id);
                    table.CheckConstraint("ck_oms_correlation_state_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "oms_momentary_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    node_id = table.Column<string>(type: "text", nullable: false),
                    customers = table.Column<int>(type: "integer", nullable: false),
                    cause = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_momentary_events", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "oms_correlation_state",
                columns: new[] { "id", "next_outage_number", "passes", "processed_until", "updated_at" },
                values: new object[] { 1, 1L, 0L, null, new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) });

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_number",
                table: "oms_outage_events",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_momentary_events_occurred_at",
                table: "oms_momentary_events",
                column: "occurred_at");
        
            migrationBuilder.Sql(SqlScripts.Read("V0002/01_queued_state.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE scada_events SET correlation_state = 'pending' WHERE correlation_state = 'queued';
                UPDATE kaifa_events SET correlation_state = 'pending' WHERE correlation_state = 'queued';
                UPDATE onu_events SET correlation_state = 'pending' WHERE correlation_state = 'queued';
                UPDATE callcenter_tickets SET correlation_state = 'pending' WHERE correlation_state = 'queued';
                ALTER TABLE scada_events DROP CONSTRAINT ck_scada_events_state, ADD CONSTRAINT ck_scada_events_state CHECK (correlation_state IN ('pending','correlated','unmatched'));
                ALTER TABLE kaifa_events DROP CONSTRAINT ck_kaifa_events_state, ADD CONSTRAINT ck_kaifa_events_state CHECK (correlation_state IN ('pending','correlated','unmatched'));
                ALTER TABLE onu_events DROP CONSTRAINT ck_onu_events_state, ADD CONSTRAINT ck_onu_events_state CHECK (correlation_state IN ('pending','correlated','unmatched'));
                ALTER TABLE callcenter_tickets DROP CONSTRAINT ck_callcenter_tickets_state, ADD CONSTRAINT ck_callcenter_tickets_state CHECK (correlation_state IN ('pending','correlated','unmatched'));
                """);

            migrationBuilder.DropTable(
                name: "oms_correlation_state");

            migrationBuilder.DropTable(
                name: "oms_momentary_events");

            migrationBuilder.DropIndex(
                name: "ix_oms_outage_events_number",
                table: "oms_outage_events");

            migrationBuilder.DropColumn(
                name: "number",
                table: "oms_outage_events");

            migrationBuilder.DropColumn(
                name: "probable_at",
                table: "oms_outage_events");
        }
    }
}
