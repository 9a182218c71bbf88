//! The gateway: the signed JSON API of API.md in front of the gRPC services, plus the admin
//! listener, H5 pages, health and metrics.

mod admin;
pub mod call;
pub mod cli;
pub mod client_ip;
pub mod codes;
pub mod config;
pub(crate) mod console;
pub mod envelope;
mod h5;
mod handlers;
pub mod metrics;
mod notify;
mod openapi;
mod paging;
pub mod password_transport;
mod pipeline;
pub mod product_wire;
pub mod routes;
pub mod signing;
pub mod state;

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::ServerHandle;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::web::{self, Data};
use actix_web::{App, HttpResponse, HttpServer};
use cashloan_runtime::Kv;

pub use crate::config::Config;
use crate::state::Gateway;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Address(#[from] state::AddressError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// The running HTTP servers; stop them with `stop`.
pub struct RunningGateway {
    pub api_addr: SocketAddr,
    pub admin_addr: Option<SocketAddr>,
    handles: Vec<ServerHandle>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningGateway {
    /// Stops accepting, lets in-flight requests finish, and waits for the servers to end.
    pub async fn stop(self) {
        for handle in &self.handles {
            handle.stop(true).await;
        }
        self.wait().await;
    }

    /// Waits until the servers end (after a stop).
    pub async fn wait(self) {
        for task in self.tasks {
            if let Ok(Err(e)) = task.await {
                tracing::error!(error = %e, "gateway server failed");
            }
        }
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// 200 when every dependency answers, 503 otherwise; the body says which.
async fn readyz(gw: Data<Gateway>) -> HttpResponse {
    let report = gw.readiness().await;
    let ready = report.iter().all(|(_, ok)| *ok);
    let body: String = report
        .iter()
        .map(|(name, ok)| format!("{name} {}\n", if *ok { "ok" } else { "unavailable" }))
        .collect();
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response.content_type("text/plain").body(body)
}

async fn metrics(gw: Data<Gateway>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(gw.metrics.render())
}

/// Starts the API listener and, when an admin token is configured, the admin listener.
pub fn start(
    config: Config,
    kv: Kv,
    api: TcpListener,
    admin: Option<TcpListener>,
) -> Result<RunningGateway, StartError> {
    config.validate().map_err(StartError::Config)?;
    let workers = match config.workers {
        0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        n => n,
    };
    let admin = admin.filter(|_| config.admin_token.is_some());
    let api_addr = api.local_addr()?;
    let mut config = config;
    config
        .public_url
        .get_or_insert_with(|| format!("http://{api_addr}"));
    let gateway = Data::new(Gateway::new(config, kv)?);

    let data = gateway.clone();
    let api_server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(Compress::default())
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics))
            .route("/notify/payment", web::post().to(notify::payment))
            .route("/h5/contract/{token}", web::get().to(h5::contract))
            .route("/h5/consent/{consent_type}/{version}", web::get().to(h5::consent))
            .configure(openapi::app_routes)
            .default_service(web::to(pipeline::dispatch))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(5)
    .listen(api)?
    .run();
    let mut handles = vec![api_server.handle()];
    let mut tasks = vec![tokio::spawn(api_server)];

    let mut admin_addr = None;
    if let Some(listener) = admin {
        admin_addr = Some(listener.local_addr()?);
        let data = gateway.clone();
        let admin_server = HttpServer::new(move || {
            App::new()
                // Admin answers carry customers' data, some of it unmasked on purpose (a reveal):
                // no cache along the way or in the browser keeps a copy.
                .wrap(DefaultHeaders::new().add((CACHE_CONTROL, "no-store")))
                // Calls from here go to the services as the admin side (`gateway-admin`).
                .wrap_fn(|req, srv| {
                    let call = actix_web::dev::Service::call(srv, req);
                    cashloan_runtime::grpc::identity::as_operator(String::new(), call)
                })
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(pipeline::BODY_LIMIT))
                .configure(admin::routes)
                .configure(console::routes)
                .configure(openapi::admin_routes)
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(5)
        .listen(listener)?
        .run();
        handles.push(admin_server.handle());
        tasks.push(tokio::spawn(admin_server));
    }
    tracing::info!(%api_addr, ?admin_addr, "gateway listening");
    Ok(RunningGateway {
        api_addr,
        admin_addr,
        handles,
        tasks,
    })
}
