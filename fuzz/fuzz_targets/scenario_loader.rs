#![no_main]
//! Fuzz target `scenario_loader`: see `kmslab_fuzz::scenario_loader`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = kmslab_fuzz::scenario_loader(data) {
        panic!("{violation}");
    }
});
