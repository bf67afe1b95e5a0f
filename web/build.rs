//! Embeds the example scenarios of `tests/scenarios/` (not the `review-*` test cases) in the app.
//!
//! Writes `$OUT_DIR/examples.rs`: `EXAMPLES`, a list of `(file name, include_str!(file))`, in the
//! order below, of the files that exist. Other files of the directory (the `review-*` test cases,
//! regression tests) are not examples; add a file to `ORDER` to offer it in the menu.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

/// The examples, in the menu's order (the first one opens on load).
const ORDER: [&str; 11] = [
    "seed.json",
    "shared-key-viaservice.json",
    "revoked-grant.json",
    "cross-account-read-only.json",
    "bucket-keys.json",
    "asymmetric-key-rejected.json",
    "verbatim-seed-policy.json",
    "key-states.json",
    "throttling.json",
    "seed-claims.json",
    "kms-errors.json",
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("..").join("tests").join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut code = String::from(
        "/// The example scenarios: `(file name, document)`, seed first.\n\
         pub const EXAMPLES: &[(&str, &str)] = &[\n",
    );
    for name in ORDER {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");

    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("examples.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
