using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OmsDashboard.Data.Entities;

namespace OmsDashboard.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<OmsApiKey>
{
    public void Configure(EntityTypeBuilder<OmsApiKey> b)
    {
        b.ToTable("oms_api_keys", t =>
        {
            t.HasCheckConstraint("ck_oms_api_keys_hash", "octet_length(key_hash) = 32");
            t.HasCheckConstraint("ck_oms_api_keys_scopes",
                $"cardinality(scopes) > 0 AND scopes <@ {TextArray(ApiKeyScopes.All)}");
            t.HasCheckConstraint("ck_oms_api_keys_sources",
                $"sources IS NULL OR (cardinality(sources) > 0 AND sources <@ {TextArray(SourceTypes.All)})");
            t.HasCheckConstraint("ck_oms_api_keys_name", "length(name) BETWEEN 1 AND 200");
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        // A key is looked up by its hash; two keys with one hash would be one key.
        b.HasIndex(x => x.KeyHash).IsUnique();
        b.HasIndex(x => x.Name);
    }

    private static string TextArray(IEnumerable<string> values) =>
        $"ARRAY[{string.Join(',', values.Select(v => $"'{v}'"))}]::text[]";
}
