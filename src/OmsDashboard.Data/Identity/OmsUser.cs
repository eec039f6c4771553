using Microsoft.AspNetCore.Identity;

namespace OmsDashboard.Data.Identity;

/// <summary>A person who signs in to the dashboard (API clients use keys, not users).</summary>
public sealed class OmsUser : IdentityUser
{
    public OmsUser()
    {
    }

    public OmsUser(string userName) : base(userName)
    {
    }

    /// <summary>When the account was made, for the user administration's list.</summary>
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
