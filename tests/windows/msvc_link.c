/*
 * Linked by lld-link (the MSVC-compatible linker) against concert.lib
 * alone, with no C runtime: proves the MSVC import library resolves a
 * call compiled from concert.h (cdecl, _concert_version on x86) to the
 * DLL's undecorated export. Exits with the version string's length.
 */
#include "concert.h"

__declspec(dllimport) void __stdcall ExitProcess(unsigned int code);

void __stdcall start(void) {
    const char *version = concert_version();
    unsigned int n = 0;
    while (version[n] != '\0') {
        n++;
    }
    ExitProcess(n);
}
