using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <summary>Operator actions as stored events the engine replays (Sql/V0004).</summary>
    public partial class OperatorActions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SqlScripts.Read("V0004/01_operator_actions.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS oms_operator_actions");
        }
    }
}
