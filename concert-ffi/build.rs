//! Gives the shared library its SONAME on ELF systems: `libconcert.so.N`, N
//! the major version, so programs linked today ask the dynamic loader for an
//! ABI-compatible library and a future major version can sit beside it.

fn main() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    // Unix but not Apple: ELF, where the linker takes -soname.
    if var("CARGO_CFG_TARGET_FAMILY")
        .split(',')
        .any(|f| f == "unix")
        && var("CARGO_CFG_TARGET_VENDOR") != "apple"
    {
        let major = var("CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libconcert.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
