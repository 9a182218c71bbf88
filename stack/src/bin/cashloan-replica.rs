//! One service or the gateway as a process of its own, from the launcher's build: what the test
//! of several replicas starts (`stack/tests/e2e/replicas.rs`). The same flags and environment as
//! each service's own binary: `cashloan-replica auth-service --listen 127.0.0.1:50051 …`.

use clap::Parser;

#[derive(Parser)]
#[command(name = "cashloan-replica", version, about)]
enum Replica {
    AuthService(auth_service::cli::Args),
    MessageService(message_service::cli::Args),
    ProductService(product_service::cli::Args),
    LoanService(Box<loan_service::cli::Args>),
    RiskService(risk_service::cli::Args),
    Gateway(cashloan_gateway::cli::Args),
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let boxed = |e: cashloan_runtime::service::BoxError| -> Box<dyn std::error::Error> { e };
    match Replica::parse() {
        Replica::AuthService(args) => auth_service::cli::run(args).await.map_err(boxed),
        Replica::MessageService(args) => message_service::cli::run(args).await.map_err(boxed),
        Replica::ProductService(args) => product_service::cli::run(args).await.map_err(boxed),
        Replica::LoanService(args) => loan_service::cli::run(*args).await.map_err(boxed),
        Replica::RiskService(args) => risk_service::cli::run(args).await.map_err(boxed),
        Replica::Gateway(args) => cashloan_gateway::cli::run(args).await,
    }
}

#[cfg(test)]
mod tests {
    /// Every service's command line and the gateway's, as clap checks them (two flags with one
    /// id once stopped loan-service at its start).
    #[test]
    fn the_command_lines_are_consistent() {
        use clap::CommandFactory;
        super::Replica::command().debug_assert();
    }
}
