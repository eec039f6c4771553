using System.Security.Cryptography;

namespace OmsDashboard.Web.Security;

/// <summary>Passwords the app makes itself (the first admin's, a reset's): shown once, never stored in clear.</summary>
public static class Passwords
{
    // No look-alikes (0/O, 1/l/I): the password may be read off a console and typed on a tablet.
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Four groups of five random characters (about 117 bits), e.g. <c>k7QmZ-…</c>.</summary>
    public static string Generate() =>
        string.Join('-', Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(Alphabet, 5)));
}
