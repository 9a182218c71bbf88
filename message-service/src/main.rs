use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    message_service::cli::run(message_service::cli::Args::parse()).await
}
