//! Container health probe: `cashloan-probe grpc http://127.0.0.1:50051` asks a service's standard
//! gRPC health service; `cashloan-probe http 127.0.0.1:9999 /healthz` expects HTTP 200. Exit code 0
//! means healthy.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const DEADLINE: Duration = Duration::from_secs(3);

async fn grpc(addr: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let channel = tonic::transport::Endpoint::from_shared(addr.to_owned())?
        .timeout(DEADLINE)
        .connect()
        .await?;
    let reply = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await?;
    Ok(reply.into_inner().status == 1)
}

async fn http(addr: &str, path: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await?;
    Ok(head.starts_with(b"HTTP/1.") && &head[9..12] == b"200")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let probe = async {
        match args.get(1).map(String::as_str) {
            Some("grpc") if args.len() == 3 => grpc(&args[2]).await,
            Some("http") if args.len() == 4 => http(&args[2], &args[3]).await,
            _ => Err("usage: cashloan-probe grpc <url> | http <host:port> <path>".into()),
        }
    };
    let healthy = match tokio::time::timeout(DEADLINE, probe).await {
        Ok(Ok(healthy)) => healthy,
        Ok(Err(e)) => {
            eprintln!("{e}");
            false
        }
        Err(_) => false,
    };
    std::process::exit(if healthy { 0 } else { 1 });
}
