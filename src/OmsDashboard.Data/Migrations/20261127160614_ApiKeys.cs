using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "oms_api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    key_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    sources = table.Column<string[]>(type: "text[]", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_api_keys", x => x.id);
                    table.CheckConstraint("ck_oms_api_keys_hash", "octet_length(key_hash) = 32");
                    table.CheckConstraint("ck_oms_api_keys_name", "length(name) BETWEEN 1 AND 200");
                    table.CheckConstraint("ck_oms_api_keys_scopes", "cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest','read','operate','admin']::text[]");
                    table.CheckConstraint("ck_oms_api_keys_sources", "sources IS NULL OR (cardinality(sources) > 0 AND sources <@ ARRAY['scada','kaifa','onu','callcenter']::text[])");
                });

            migrationBuilder.CreateIndex(
                name: "ix_oms_api_keys_key_hash",
                table: "oms_api_keys",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_api_keys_name",
                table: "oms_api_keys",
                column: "name");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "oms_api_keys");
        }
    }
}
