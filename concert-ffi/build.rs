//! Gives the shared library its SONAME on ELF systems: `libconcert.so.N`, N
//! the major version, so programs linked today ask the dynamic loader for an
//! ABI-compatible library and a future major version can sit beside it.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "solaris" | "illumos"
    );
    if elf {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_owned());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libconcert.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
