//! Replays every committed fuzz input — the corpus (`corpus/TARGET/`) and the crash reproducers
//! (`regressions/TARGET/`) — through the fuzz targets' bodies, so a fixed crash stays fixed:
//! `cargo test --manifest-path fuzz/Cargo.toml`.

use std::path::Path;

type Target = fn(&[u8]) -> Result<(), String>;

const TARGETS: [(&str, Target); 5] = [
    ("policy_parser", kmslab_fuzz::policy_parser),
    ("evaluator", kmslab_fuzz::evaluator),
    ("scenario_loader", kmslab_fuzz::scenario_loader),
    ("share_link", kmslab_fuzz::share_link),
    ("ciphertext", kmslab_fuzz::ciphertext),
];

#[test]
fn every_committed_input_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(data) = std::fs::read(entry.path()) else {
                    continue;
                };
                replayed += 1;
                if let Err(violation) = target(&data) {
                    failures.push(format!("{name} {}: {violation}", entry.path().display()));
                }
            }
        }
    }
    println!("{replayed} committed fuzz inputs replayed");
    assert!(replayed > 0, "no corpus found");
    assert!(failures.is_empty(), "{failures:#?}");
}
