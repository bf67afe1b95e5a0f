#![no_main]
//! Fuzz target `ciphertext`: see `kmslab_fuzz::ciphertext`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = kmslab_fuzz::ciphertext(data) {
        panic!("{violation}");
    }
});
