use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    risk_service::cli::run(risk_service::cli::Args::parse()).await
}
