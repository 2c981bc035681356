//! What a release publishes under one name family and one version: PyPI
//! `concert-tpe` (import `concert_tpe`), npm `concert-tpe` and its platform
//! packages, the crates `concert-core`/`-journal`/`-bridge`/`-ffi`/`-cli`, the C library
//! `libconcert` (`concert.dll`). The version is written once, in the
//! workspace `Cargo.toml`; everything that repeats it (the header, the C
//! constants, `package.json` and the platform packages, the generated Node
//! loader) must agree. The Python package takes its version from Cargo
//! (`python/tests` checks `concert_tpe.__version__` at run time).

// A check of the source tree on the build machine (manifests, lock files,
// `cargo package`): nothing to run on a Windows target.
#![cfg(not(windows))]
#![allow(unsafe_code)] // reads the library's version string through the C ABI

use std::ffi::CStr;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The stem every published name is made from.
const STEM: &str = "concert";
/// PyPI distribution and npm package (the bare stem is taken on both).
const PACKAGE: &str = "concert-tpe";
/// The Python import package.
const IMPORT: &str = "concert_tpe";
/// The crates published on crates.io.
const CRATES: [&str; 5] = [
    "concert-core",
    "concert-journal",
    "concert-bridge",
    "concert-ffi",
    "concert-cli",
];
/// npm platform packages: `<PACKAGE>-<key>`, each holding `<STEM>.<key>.node`.
const PLATFORMS: [&str; 2] = ["linux-x64-gnu", "win32-x64-msvc"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn toml(path: &str) -> toml::Table {
    read(path).parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn at<'a>(table: &'a toml::Table, keys: &[&str]) -> &'a toml::Value {
    let mut value = table
        .get(keys[0])
        .unwrap_or_else(|| panic!("no {}", keys[0]));
    for key in &keys[1..] {
        value = value
            .get(key)
            .unwrap_or_else(|| panic!("no {}", keys.join(".")));
    }
    value
}

fn workspace_version() -> String {
    let cargo = toml("Cargo.toml");
    at(&cargo, &["workspace", "package", "version"])
        .as_str()
        .expect("a string")
        .to_owned()
}

#[test]
fn the_names_form_one_family() {
    // Every derived name from the stem, so renaming one alone fails here.
    assert_eq!(PACKAGE, format!("{STEM}-tpe"));
    assert_eq!(
        IMPORT,
        PACKAGE.replace('-', "_"),
        "PEP 503 name = import name"
    );

    let pyproject = toml("python/pyproject.toml");
    assert_eq!(at(&pyproject, &["project", "name"]).as_str(), Some(PACKAGE));
    assert_eq!(
        at(&pyproject, &["tool", "maturin", "module-name"]).as_str(),
        Some(format!("{IMPORT}._{STEM}").as_str())
    );
    let python_crate = toml("python/Cargo.toml");
    assert_eq!(
        at(&python_crate, &["lib", "name"]).as_str(),
        Some(format!("_{STEM}").as_str())
    );
    assert!(
        root()
            .join("python")
            .join(IMPORT)
            .join("__init__.py")
            .is_file()
    );
    assert!(
        root()
            .join("python")
            .join(IMPORT)
            .join("py.typed")
            .is_file()
    );
    // Classes and the logger present themselves under the import name.
    for file in fs::read_dir(root().join("python/src")).unwrap() {
        let path = file.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for (n, _) in text.match_indices("module = \"") {
            let rest = &text[n + 10..];
            let module = &rest[..rest.find('"').unwrap()];
            assert_eq!(module, IMPORT, "{}: module = {module:?}", path.display());
        }
    }
    assert!(read("python/src/logging.rs").contains(&format!("\"{IMPORT}\"")));

    let package = json("node/package.json");
    assert_eq!(package["name"], PACKAGE);
    assert_eq!(package["napi"]["binaryName"], STEM);
    let loader = read("node/index.js");
    for key in PLATFORMS {
        let dir = format!("node/npm/{key}");
        let platform = json(&format!("{dir}/package.json"));
        assert_eq!(platform["name"], format!("{PACKAGE}-{key}"), "{dir}");
        let addon = format!("{STEM}.{key}.node");
        assert_eq!(platform["main"], addon.as_str(), "{dir}");
        let files = serde_json::json!([addon, "LICENSE-MIT", "LICENSE-APACHE"]);
        assert_eq!(platform["files"], files, "{dir}");
        assert!(
            loader.contains(&format!("require('{PACKAGE}-{key}')")),
            "node/index.js does not load {PACKAGE}-{key}: regenerate it (npm run build)"
        );
    }

    let cargo = toml("Cargo.toml");
    let members = at(&cargo, &["workspace", "members"]).as_array().unwrap();
    let mut published = Vec::new();
    for member in members {
        let dir = member.as_str().unwrap();
        let manifest = toml(&format!("{dir}/Cargo.toml"));
        let name = at(&manifest, &["package", "name"]).as_str().unwrap();
        let publish = manifest["package"].get("publish").and_then(|p| p.as_bool());
        assert!(name.starts_with(&format!("{STEM}-")), "{dir}: {name}");
        if publish != Some(false) {
            published.push(name.to_owned());
        }
    }
    published.sort();
    let mut expected = CRATES.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(published, expected, "published crates");
    let cli = toml("concert-cli/Cargo.toml");
    assert_eq!(cli["bin"][0]["name"].as_str(), Some(STEM), "the command");

    // The C library: libconcert.{so,a}, concert.dll, -lconcert, concert.pc.
    let ffi = toml("concert-ffi/Cargo.toml");
    assert_eq!(at(&ffi, &["lib", "name"]).as_str(), Some(STEM));
    let pc = read("concert-ffi/concert.pc.in");
    assert!(
        pc.contains(&format!("\nName: {STEM}\n")),
        "concert.pc.in Name"
    );
    assert!(pc.contains(&format!("-l{STEM}\n")), "concert.pc.in Libs");
    assert!(read("concert-ffi/build.rs").contains(&format!("soname,lib{STEM}.so.")));
    let header = read("include/concert.h");
    assert!(header.contains(&format!("#ifndef {}_H", STEM.to_uppercase())));
    let delphi = read("bindings/delphi/Concert.pas");
    assert!(delphi.contains(&format!("ConcertLib = '{STEM}.dll';")));
    assert!(delphi.contains(&format!("ConcertLib = '{STEM}';")));

    // What the README tells users to type.
    let readme = read("README.md");
    for line in [
        format!("pip install {PACKAGE}"),
        format!("npm install {PACKAGE}"),
        format!("import {IMPORT}"),
        format!("require('{PACKAGE}')"),
        format!("pkg-config --cflags --libs {STEM}"),
    ] {
        assert!(readme.contains(&line), "README.md lacks `{line}`");
    }
}

#[test]
fn the_version_is_written_once() {
    let version = workspace_version();
    let mut parts = version.split(['.', '-', '+']);
    let (major, minor, patch) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );

    // Every crate inherits it; none sets its own.
    let cargo = toml("Cargo.toml");
    for member in at(&cargo, &["workspace", "members"]).as_array().unwrap() {
        let dir = member.as_str().unwrap();
        let manifest = toml(&format!("{dir}/Cargo.toml"));
        let v = at(&manifest, &["package", "version"]);
        assert_eq!(
            v.get("workspace").and_then(|w| w.as_bool()),
            Some(true),
            "{dir}/Cargo.toml: version.workspace = true"
        );
    }
    assert_eq!(env!("CARGO_PKG_VERSION"), version);
    // Published crates name the crates of the workspace they were released
    // with (crates.io needs a version beside the path), exactly.
    for dir in CRATES {
        let manifest = toml(&format!("{dir}/Cargo.toml"));
        let Some(deps) = manifest.get("dependencies").and_then(|d| d.as_table()) else {
            continue;
        };
        for (name, dep) in deps {
            if dep.get("path").is_some() {
                assert_eq!(
                    dep.get("version").and_then(|v| v.as_str()),
                    Some(format!("={version}").as_str()),
                    "{dir}/Cargo.toml: {name}'s version"
                );
            }
        }
    }

    // The header's macros and the library's constants and function.
    let header = read("include/concert.h");
    for line in [
        format!("#define CONCERT_VERSION \"{version}\"\n"),
        format!("#define CONCERT_VERSION_MAJOR {major}\n"),
        format!("#define CONCERT_VERSION_MINOR {minor}\n"),
        format!("#define CONCERT_VERSION_PATCH {patch}\n"),
    ] {
        assert!(
            header.contains(&line),
            "include/concert.h lacks `{}`: update the constants in concert-ffi/src/lib.rs \
             and regenerate (CONCERT_BLESS=1 cargo test -p concert-ffi --test header)",
            line.trim_end()
        );
    }
    assert_eq!(concert::CONCERT_VERSION_MAJOR.to_string(), major);
    assert_eq!(concert::CONCERT_VERSION_MINOR.to_string(), minor);
    assert_eq!(concert::CONCERT_VERSION_PATCH.to_string(), patch);
    // SAFETY: a static NUL-terminated string.
    let from_library = unsafe { CStr::from_ptr(concert::concert_version()) };
    assert_eq!(from_library.to_str(), Ok(version.as_str()));

    // npm: the package, its lock, every platform package.
    assert_eq!(json("node/package.json")["version"], version.as_str());
    let lock = json("node/package-lock.json");
    assert_eq!(lock["version"], version.as_str(), "node/package-lock.json");
    assert_eq!(lock["packages"][""]["version"], version.as_str());
    for key in PLATFORMS {
        let path = format!("node/npm/{key}/package.json");
        assert_eq!(json(&path)["version"], version.as_str(), "{path}");
    }
    // The generated loader checks the platform package's version against it.
    let loader = read("node/index.js");
    let checks: Vec<&str> = loader
        .match_indices("bindingPackageVersion !== '")
        .map(|(n, m)| {
            let rest = &loader[n + m.len()..];
            &rest[..rest.find('\'').unwrap()]
        })
        .collect();
    assert!(!checks.is_empty(), "node/index.js checks no version");
    assert!(
        checks.iter().all(|v| *v == version),
        "node/index.js expects {checks:?}, Cargo.toml says {version}: regenerate it (npm run build)"
    );

    // Python: maturin takes the version from Cargo, the module reports it.
    let pyproject = toml("python/pyproject.toml");
    assert!(
        at(&pyproject, &["project", "dynamic"])
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("version")),
        "python/pyproject.toml: the version must come from Cargo.toml (dynamic)"
    );
    assert!(at(&pyproject, &["project"]).get("version").is_none());
    assert!(
        read("python/src/lib.rs").contains("m.add(\"__version__\", env!(\"CARGO_PKG_VERSION\"))")
    );
}
