using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace OmsDashboard.Web.Security;

/// <summary>Making and hashing API keys. Only hashes are stored; keys are shown once.</summary>
public static class ApiKeySecrets
{
    /// <summary>Longer values are not keys: they are rejected before hashing.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>A new key: 32 random bytes, base64url without padding (43 characters).</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes. Keys are random and long, so a plain (unsalted) hash is enough.</summary>
    public static byte[] Hash(string key)
    {
        byte[] hash = new byte[SHA256.HashSizeInBytes];
        Hash(key, hash);
        return hash;
    }

    public static void Hash(string key, Span<byte> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[max];
        int length = Encoding.UTF8.GetBytes(key, utf8);
        SHA256.HashData(utf8[..length], destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
