//! Compiles `proto/*.proto` with the vendored protoc, so a machine with only Rust builds it, and
//! lists the methods the protos mark safe to call again (`idempotency_level`).

use std::fmt::Write;
use std::path::PathBuf;

use prost::Message;
use prost_types::method_options::IdempotencyLevel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    println!("cargo:rerun-if-changed=proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptors = out.join("descriptors.bin");
    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptors)
        .compile_with_config(
            config,
            &[
                "proto/common.proto",
                "proto/auth.proto",
                "proto/message.proto",
                "proto/product.proto",
                "proto/loan.proto",
                "proto/risk.proto",
            ],
            &["proto"],
        )?;

    let set = prost_types::FileDescriptorSet::decode(std::fs::read(&descriptors)?.as_slice())?;
    let mut paths = String::new();
    for file in &set.file {
        for service in &file.service {
            for method in &service.method {
                let level = method.options.as_ref().map_or(
                    IdempotencyLevel::IdempotencyUnknown,
                    prost_types::MethodOptions::idempotency_level,
                );
                if level != IdempotencyLevel::IdempotencyUnknown {
                    writeln!(
                        paths,
                        "    \"/{}.{}/{}\",",
                        file.package(),
                        service.name(),
                        method.name()
                    )?;
                }
            }
        }
    }
    std::fs::write(out.join("repeatable.rs"), format!("&[\n{paths}]"))?;
    Ok(())
}
