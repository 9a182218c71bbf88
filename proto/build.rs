//! Compiles `proto/*.proto` with the vendored protoc, so a machine with only Rust builds it.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("PROTOC", protoc) };
    println!("cargo:rerun-if-changed=proto");
    tonic_prost_build::configure().compile_protos(
        &[
            "proto/common.proto",
            "proto/auth.proto",
            "proto/message.proto",
            "proto/product.proto",
            "proto/loan.proto",
        ],
        &["proto"],
    )?;
    Ok(())
}
