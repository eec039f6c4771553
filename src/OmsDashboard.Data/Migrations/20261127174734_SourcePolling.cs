using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class SourcePolling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "oms_source_pollers",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    cursor = table.Column<string>(type: "text", nullable: true),
                    last_record_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_success_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    records_total = table.Column<long>(type: "bigint", nullable: false),
                    rejected_total = table.Column<long>(type: "bigint", nullable: false),
                    last_rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_rejection = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_source_pollers", x => x.name);
                    table.CheckConstraint("ck_oms_source_pollers_failures", "consecutive_failures >= 0");
                    table.CheckConstraint("ck_oms_source_pollers_kind", "kind IN ('http','postgres')");
                    table.CheckConstraint("ck_oms_source_pollers_source", "source IN ('scada','kaifa','onu','callcenter')");
                });

            migrationBuilder.CreateTable(
                name: "oms_source_poller_rejections",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    poller_name = table.Column<string>(type: "text", nullable: false),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    location = table.Column<string>(type: "text", nullable: false),
                    record_id = table.Column<string>(type: "text", nullable: true),
                    errors = table.Column<string[]>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_source_poller_rejections", x => x.id);
                    table.ForeignKey(
                        name: "fk_oms_source_poller_rejections_oms_source_pollers_poller_name",
                        column: x => x.poller_name,
                        principalTable: "oms_source_pollers",
                        principalColumn: "name",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_oms_source_poller_rejections_poller_name_rejected_at",
                table: "oms_source_poller_rejections",
                columns: new[] { "poller_name", "rejected_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "oms_source_poller_rejections");

            migrationBuilder.DropTable(
                name: "oms_source_pollers");
        }
    }
}
