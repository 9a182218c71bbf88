use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), cashloan_runtime::service::BoxError> {
    loan_service::cli::run(loan_service::cli::Args::parse()).await
}
