//! Lists the example scenarios of `tests/scenarios/` (not the `review-*` test cases) for the app.
//!
//! Writes `$OUT_DIR/examples.rs`: `EXAMPLES`, one `ExampleFile` per file of the order below that
//! exists (file name, the document's name and description, a hash of the file, and the document
//! itself where it is embedded: the seed everywhere, the others only in native builds, since the
//! browser fetches them from `examples/`, which Trunk copies into dist/), and `$OUT_DIR/i18n.rs`:
//! the hash of `www/i18n/zh-TW.json`, the Traditional Chinese texts the browser fetches. Other files of the directory (the `review-*` test cases,
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
        "/// The example scenarios, seed first: file name, the document's `name` and `description`,\n\
         /// the FNV-1a 64 hash of the file, and the document itself where it is embedded (the seed\n\
         /// always; the others only outside the browser: there they are fetched, see `fetch`).\n\
         pub const EXAMPLES: &[ExampleFile] = &[\n",
    );
    let mut texts = String::new();
    for (i, name) in ORDER.iter().enumerate() {
        let path = dir.join(name);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let doc: serde_json::Value = match serde_json::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => {
                println!("cargo:warning={} is not JSON: {e}", path.display());
                continue;
            }
        };
        let field = |key: &str| {
            doc.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        let title = match field("name") {
            n if n.is_empty() => (*name).to_owned(),
            n => n,
        };
        let include = format!("include_str!({:?})", path.display().to_string());
        // The seed opens on load, so it is always embedded; the browser fetches the others.
        let embedded = if i == 0 {
            format!("Some({include})")
        } else {
            let _ = writeln!(
                texts,
                "#[cfg(target_arch = \"wasm32\")]\nconst TEXT_{i}: Option<&str> = None;\n\
                 #[cfg(not(target_arch = \"wasm32\"))]\nconst TEXT_{i}: Option<&str> = Some({include});"
            );
            format!("TEXT_{i}")
        };
        let _ = writeln!(
            code,
            "    ExampleFile {{ file: {name:?}, name: {title:?}, description: {:?}, hash: {:#018x}, \
             embedded: {embedded} }},",
            field("description"),
            fnv1a64(text.as_bytes()),
        );
    }
    code.push_str("];\n");
    code.push_str(&texts);

    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = fs::write(out.join("examples.rs"), code) {
        println!("cargo:warning=cannot write examples.rs: {e}");
    }

    // The Traditional Chinese texts the browser fetches (kmslab_web::i18n::load): their hash.
    let zh = manifest
        .join("..")
        .join("www")
        .join("i18n")
        .join("zh-TW.json");
    println!("cargo:rerun-if-changed={}", zh.display());
    let bytes = fs::read(&zh).unwrap_or_else(|e| {
        println!("cargo:warning=cannot read {}: {e}", zh.display());
        Vec::new()
    });
    let i18n = format!(
        "/// FNV-1a 64 of `www/i18n/zh-TW.json` as built (a fetched copy must have it).\n\
         pub const ZH_TW_HASH: u64 = {:#018x};\n",
        fnv1a64(&bytes)
    );
    if let Err(e) = fs::write(out.join("i18n.rs"), i18n) {
        println!("cargo:warning=cannot write i18n.rs: {e}");
    }
}

/// FNV-1a, 64 bits (the same function as `kmslab_web::examples::fnv1a64`, which checks a fetched file).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
