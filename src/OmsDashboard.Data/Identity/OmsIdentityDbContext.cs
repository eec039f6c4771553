using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OmsDashboard.Data.Identity;

/// <summary>
/// Users, roles and their links (ASP.NET Core Identity), in the OMS database but in a context of
/// their own (docs/decisions/0008): its migrations (<c>Identity/Migrations</c>) and history table
/// (<see cref="HistoryTable"/>) never touch <see cref="OmsDbContext"/>'s. Tables are snake_case like
/// the rest of the schema, prefixed <c>identity_</c> (<c>identity_users</c>, <c>identity_roles</c>, …)
/// so that nothing in the OMS schema's <c>oms_*</c> namespace belongs to another context. Add a migration with
/// <c>dotnet ef migrations add Name -c OmsIdentityDbContext -o Identity/Migrations -p src/OmsDashboard.Data -s src/OmsDashboard.Data</c>.
/// </summary>
public sealed class OmsIdentityDbContext(DbContextOptions<OmsIdentityDbContext> options)
    : IdentityDbContext<OmsUser, IdentityRole, string>(options)
{
    public const string HistoryTable = "__ef_identity_migrations_history";

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable(HistoryTable))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptions<OmsIdentityDbContext> Options(NpgsqlDataSource dataSource)
    {
        var builder = new DbContextOptionsBuilder<OmsIdentityDbContext>();
        Configure(builder, dataSource);
        return builder.Options;
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<OmsUser>(b =>
        {
            b.ToTable("identity_users");
            b.Property(u => u.CreatedAt).HasDefaultValueSql("now()");
        });
        builder.Entity<IdentityRole>(b =>
        {
            b.ToTable("identity_roles");
            // The four roles are part of the schema: every database has them, whoever starts first.
            // Ids and stamps are constants so that the model (and the migration) never changes by itself.
            b.HasData(OmsRoles.All.Select(r => new IdentityRole(r)
            {
                Id = "role-" + r.ToLowerInvariant(),
                NormalizedName = r.ToUpperInvariant(),
                ConcurrencyStamp = "seed-" + r.ToLowerInvariant(),
            }));
        });
        builder.Entity<IdentityUserRole<string>>().ToTable("identity_user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("identity_user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("identity_user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("identity_user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("identity_role_claims");
    }
}

/// <summary>Used by <c>dotnet ef</c> only; the connection string is not used to create migrations.</summary>
public sealed class DesignTimeIdentityDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<OmsIdentityDbContext>
{
    public OmsIdentityDbContext CreateDbContext(string[] args)
    {
        var cs = Environment.GetEnvironmentVariable("OMS_CONNECTION_STRING") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=omsdashboard";
        return new OmsIdentityDbContext(OmsIdentityDbContext.Options(OmsDatabase.CreateDataSource(cs)));
    }
}
