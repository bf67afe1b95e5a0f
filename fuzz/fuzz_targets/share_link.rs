#![no_main]
//! Fuzz target `share_link`: see `kmslab_fuzz::share_link`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = kmslab_fuzz::share_link(data) {
        panic!("{violation}");
    }
});
