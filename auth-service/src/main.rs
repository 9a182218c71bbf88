use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    auth_service::cli::run(auth_service::cli::Args::parse()).await
}
