using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OmsDashboard.Data.Migrations
{
    /// <summary>
    /// The correlation pass's watermarks and signal outcomes (docs/decisions/0010-pass-writes.md).
    /// SQL only: the model is unchanged, so the snapshot is too.
    /// </summary>
    public partial class PassWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SqlScripts.Read("V0003/01_pass_writes.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE oms_signal_outcomes;
                DROP TABLE oms_correlation_watermarks;
                """);
        }
    }
}
