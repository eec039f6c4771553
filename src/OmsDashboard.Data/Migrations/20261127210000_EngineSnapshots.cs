using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <summary>
    /// Engine snapshots and the pass that queued each operator action (Sql/V0005,
    /// docs/decisions/0013). SQL only: the model is unchanged, so the snapshot is too.
    /// </summary>
    public partial class EngineSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SqlScripts.Read("V0005/01_engine_snapshots.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE oms_operator_actions DROP COLUMN IF EXISTS queued_pass;
                DROP TABLE IF EXISTS oms_engine_snapshots;
                """);
        }
    }
}
