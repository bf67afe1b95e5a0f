#![no_main]
//! Fuzz target `policy_parser`: see `kmslab_fuzz::policy_parser`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = kmslab_fuzz::policy_parser(data) {
        panic!("{violation}");
    }
});
