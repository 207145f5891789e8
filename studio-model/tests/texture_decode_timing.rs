//! The Rust side of the texture-decoding comparison run by `cargo xtask bench`
//! (the browser side is tests/bench/texture-decode.mjs). Ignored in normal test
//! runs; the bench runs it in release with TEXTURE_BENCH_DIR pointing at the
//! PNG and JPEG the browser made. Native timings are a lower bound for the same
//! Rust decoders compiled to wasm.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

#[test]
#[ignore = "benchmark, run by `cargo xtask bench`"]
fn rust_decodes_the_bench_textures() {
    let dir = std::env::var("TEXTURE_BENCH_DIR").expect("TEXTURE_BENCH_DIR");
    for name in ["texture.png", "texture.jpg"] {
        let bytes = std::fs::read(format!("{dir}/{name}")).unwrap();
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                let image = image::load_from_memory(&bytes).unwrap().into_rgba8();
                assert_eq!(image.width(), 2048);
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("rust (native) decode {name}: {:.1} ms", times[2]);
    }
}
