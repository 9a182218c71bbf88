use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    product_service::cli::run(product_service::cli::Args::parse()).await
}
