use clap::Parser;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    cashloan_gateway::cli::run(cashloan_gateway::cli::Args::parse()).await
}
