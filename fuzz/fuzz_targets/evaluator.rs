#![no_main]
//! Fuzz target `evaluator`: see `kmslab_fuzz::evaluator`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = kmslab_fuzz::evaluator(data) {
        panic!("{violation}");
    }
});
