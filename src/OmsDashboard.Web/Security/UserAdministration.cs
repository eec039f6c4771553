using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OmsDashboard.Data.Identity;

namespace OmsDashboard.Web.Security;

/// <summary>One user as the administration page lists it.</summary>
public sealed record UserSummary(string Id, string UserName, IReadOnlyList<string> Roles, bool IsLockedOut, DateTimeOffset? LockedUntil,
    int FailedAttempts, DateTimeOffset CreatedAt);

/// <summary>What a change did: errors to show, or, when the app chose the password, that password (shown once).</summary>
public sealed record UserChangeResult(bool Succeeded, IReadOnlyList<string> Errors, string? GeneratedPassword = null)
{
    public static UserChangeResult Fail(params string[] errors) => new(false, errors);

    public static UserChangeResult From(IdentityResult result) =>
        new(result.Succeeded, [.. result.Errors.Select(e => e.Description)]);
}

/// <summary>What <see cref="UserAdministration.EnsureAdminAsync"/> did.</summary>
public abstract record AdminOutcome
{
    public sealed record Created(string? GeneratedPassword) : AdminOutcome;
    public sealed record Unchanged : AdminOutcome;
    public sealed record RoleRestored : AdminOutcome;
    public sealed record Failed(string Error) : AdminOutcome;
}

/// <summary>
/// Users and their roles through Identity's <see cref="UserManager{TUser}"/>, one DI scope (and so one
/// short-lived DbContext) per operation: a Blazor circuit lives for hours and must not hold a context.
/// Used by the administration page, the admin account's provisioning and the tests.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OmsIdentityDbContext>();
        var rows = await db.Users.AsNoTracking()
            .OrderBy(u => u.NormalizedUserName)
            .Select(u => new
            {
                u.Id, u.UserName, u.LockoutEnd, u.AccessFailedCount, u.CreatedAt,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToList(),
            })
            .ToListAsync(ct);
        var now = DateTimeOffset.UtcNow;
        return [.. rows.Select(r => new UserSummary(r.Id, r.UserName ?? "", [.. OmsRoles.All.Where(r.Roles.Contains)],
            r.LockoutEnd > now, r.LockoutEnd > now ? r.LockoutEnd : null, r.AccessFailedCount, r.CreatedAt))];
    }

    /// <summary>A new user in one role; <paramref name="password"/> null or empty: the app makes one and returns it.</summary>
    public async Task<UserChangeResult> CreateAsync(string userName, string role, string? password, CancellationToken ct = default)
    {
        userName = userName.Trim();
        if (!OmsRoles.All.Contains(role, StringComparer.Ordinal))
        {
            return UserChangeResult.Fail($"'{role}' is not a role: choose one of {string.Join(", ", OmsRoles.All)}.");
        }
        string? generated = string.IsNullOrEmpty(password) ? Passwords.Generate() : null;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<OmsUser>>();
        var db = scope.ServiceProvider.GetRequiredService<OmsIdentityDbContext>();
        // The user and their role together or not at all.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new OmsUser(userName);
        var created = await users.CreateAsync(user, generated ?? password!);
        if (!created.Succeeded)
        {
            return UserChangeResult.From(created);
        }
        var inRole = await users.AddToRoleAsync(user, role);
        if (!inRole.Succeeded)
        {
            return UserChangeResult.From(inRole);
        }
        await tx.CommitAsync(ct);
        return new UserChangeResult(true, [], generated);
    }

    /// <summary>A new password (<paramref name="password"/> null or empty: a generated one, returned); ends the user's sessions.</summary>
    public Task<UserChangeResult> ResetPasswordAsync(string userId, string? password, CancellationToken ct = default) =>
        WithUserAsync(userId, async (users, user) =>
        {
            string? generated = string.IsNullOrEmpty(password) ? Passwords.Generate() : null;
            string token = await users.GeneratePasswordResetTokenAsync(user);
            // ResetPasswordAsync validates the password and renews the security stamp, so sessions
            // signed in with the old one end at their next check.
            var reset = await users.ResetPasswordAsync(user, token, generated ?? password!);
            if (reset.Succeeded)
            {
                await users.ResetAccessFailedCountAsync(user);
            }
            return reset.Succeeded ? new UserChangeResult(true, [], generated) : UserChangeResult.From(reset);
        }, ct);

    /// <summary>Locks the user out until unlocked (their sessions end within a minute), or unlocks them.</summary>
    public Task<UserChangeResult> SetLockedAsync(string userId, bool locked, string? actingUserId, CancellationToken ct = default) =>
        WithUserAsync(userId, async (users, user) =>
        {
            if (locked && user.Id == actingUserId)
            {
                return UserChangeResult.Fail("You cannot lock yourself out.");
            }
            var result = await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
            if (result.Succeeded && locked)
            {
                result = await users.UpdateSecurityStampAsync(user);
            }
            else if (result.Succeeded)
            {
                result = await users.ResetAccessFailedCountAsync(user);
            }
            return UserChangeResult.From(result);
        }, ct);

    /// <summary>The configured administrator exists and is an Admin (see <see cref="AdminAccountProvisioner"/>).</summary>
    public async Task<AdminOutcome> EnsureAdminAsync(string userName, string? password, CancellationToken ct = default)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<OmsUser>>();
            var existing = await users.FindByNameAsync(userName);
            if (existing is not null)
            {
                if (await users.IsInRoleAsync(existing, OmsRoles.Admin))
                {
                    return new AdminOutcome.Unchanged();
                }
                var restored = await users.AddToRoleAsync(existing, OmsRoles.Admin);
                return restored.Succeeded ? new AdminOutcome.RoleRestored() : new AdminOutcome.Failed(string.Join(" ", restored.Errors.Select(e => e.Description)));
            }
        }
        var created = await CreateAsync(userName, OmsRoles.Admin, password, ct);
        return created.Succeeded
            ? new AdminOutcome.Created(created.GeneratedPassword)
            : new AdminOutcome.Failed(string.Join(" ", created.Errors));
    }

    private async Task<UserChangeResult> WithUserAsync(string userId, Func<UserManager<OmsUser>, OmsUser, Task<UserChangeResult>> change, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<OmsUser>>();
        var user = await users.FindByIdAsync(userId);
        return user is null ? UserChangeResult.Fail("That user no longer exists.") : await change(users, user);
    }
}
