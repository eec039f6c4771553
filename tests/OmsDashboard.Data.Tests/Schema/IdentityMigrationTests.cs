using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OmsDashboard.Data.Identity;
using OmsDashboard.Testing;

namespace OmsDashboard.Data.Tests.Schema;

/// <summary>
/// Users and roles have their own context and history table: <see cref="OmsDatabase.MigrateAsync"/>
/// applies them with the OMS schema, and each context migrates without touching the other's tables.
/// </summary>
public sealed class IdentityMigrationTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateMigratedAsync("identity");

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Migrate_EmptyDatabase_CreatesTheIdentityTablesWithTheirOwnHistory()
    {
        string tables = await _db.ScalarAsync<string>("""
            SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname LIKE 'identity\_%'
            """);
        Assert.Equal("identity_role_claims,identity_roles,identity_user_claims,identity_user_logins,identity_user_roles,identity_user_tokens,identity_users", tables);

        string identityHistory = await _db.ScalarAsync<string>($"SELECT string_agg(migration_id, ',') FROM {OmsIdentityDbContext.HistoryTable}");
        long omsHistoryMentionsIdentity = await _db.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history WHERE migration_id LIKE '%Identity%'");
        Assert.EndsWith("_Identity", identityHistory, StringComparison.Ordinal);
        Assert.Equal(0, omsHistoryMentionsIdentity);
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_SeedsTheFourRoles()
    {
        string roles = await _db.ScalarAsync<string>("SELECT string_agg(name || ':' || normalized_name, ',' ORDER BY name) FROM identity_roles");

        Assert.Equal("Admin:ADMIN,CrewLead:CREWLEAD,Manager:MANAGER,Operator:OPERATOR", roles);
    }

    [Fact]
    public async Task Migrate_Twice_ChangesNothing_AndIdentityDownToZeroLeavesTheOmsSchema()
    {
        await OmsDatabase.MigrateAsync(_db.DataSource);
        Assert.Equal(4, await _db.ScalarAsync<long>("SELECT count(*) FROM identity_roles"));

        await using var context = new OmsIdentityDbContext(OmsIdentityDbContext.Options(_db.DataSource));
        await context.GetService<IMigrator>().MigrateAsync(Migration.InitialDatabase);

        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'identity\\_%' AND relkind = 'r'"));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'oms_api_keys'"));
        Assert.Empty(await context.Database.GetAppliedMigrationsAsync());
    }
}
