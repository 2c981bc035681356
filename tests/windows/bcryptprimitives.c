/*
 * TEST-ONLY stand-in for Windows' bcryptprimitives.dll, for wine 8, which
 * lacks it. Rust's standard library (1.78+) imports ProcessPrng from it;
 * every Windows 10+ has the real one. Never shipped: it lives only in the
 * test wine prefix under target/.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000u ? 0x40000000u : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
