using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class RuleAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "oms_configuration_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    user_name = table.Column<string>(type: "text", nullable: false),
                    entity = table.Column<string>(type: "text", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false),
                    field = table.Column<string>(type: "text", nullable: false),
                    old_value = table.Column<string>(type: "text", nullable: true),
                    new_value = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_configuration_audit", x => x.id);
                    table.CheckConstraint("ck_oms_configuration_audit_entity", "entity IN ('rule','source_weight','storm_settings','storm_override')");
                    table.CheckConstraint("ck_oms_configuration_audit_reason", "reason IS NULL OR length(reason) <= 500");
                    table.CheckConstraint("ck_oms_configuration_audit_user_name", "length(user_name) BETWEEN 1 AND 256");
                });

            migrationBuilder.CreateIndex(
                name: "ix_oms_configuration_audit_changed_at_id",
                table: "oms_configuration_audit",
                columns: new[] { "changed_at", "id" },
                descending: new bool[0]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "oms_configuration_audit");
        }
    }
}
