//! The all-in-one stack: every service and the gateway in one process, each service on its own
//! loopback gRPC port, real gRPC between them. The one-command local stack and the harness of the
//! end-to-end tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use cashloan_runtime::db::{ensure_postgres_database, postgres_database_url, DbError};
use cashloan_runtime::grpc::identity;
use cashloan_runtime::shutdown::{self, ShutdownTrigger};
use cashloan_runtime::Kv;
use clap::Parser;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct StackConfig {
    pub listen: SocketAddr,
    pub admin_listen: SocketAddr,
    pub admin_token: String,
    /// Where the SQLite files live when PostgreSQL is not used.
    pub data_dir: PathBuf,
    /// A PostgreSQL server URL; each service gets its own database on it.
    pub postgres: Option<String>,
    /// Prefix of the service databases on PostgreSQL (`cashloan` → `cashloan_auth`, …).
    pub database_prefix: String,
    /// PostgreSQL connections each service keeps at most.
    pub db_pool_size: u32,
    pub redis: Option<String>,
    /// Prefix of every key in Redis, so that several stacks can share one server.
    pub kv_namespace: String,
    pub gateway: cashloan_gateway::Config,
    pub policy: auth_service::Policy,
    /// Deadline of verification-vendor calls, milliseconds.
    pub provider_deadline_ms: u64,
    /// The annual cap on product rates and on a loan's apr, millionths.
    pub rate_cap_ppm: i64,
    /// A user's credit line without an override, fen.
    pub default_credit_fen: i64,
    /// The clock of date-dependent rules; tests move it.
    pub clock: cashloan_runtime::clock::Clock,
    /// How often loan events are relayed to message-service, milliseconds.
    pub relay_interval_ms: u64,
    /// How often reminders and overdue notices are looked for, milliseconds.
    pub job_interval_ms: u64,
    /// Payment orders: the wait for an outcome, recovery, the simulator's latency.
    pub payments: loan_service::PaymentArgs,
    /// The lender the contracts name.
    pub lender: loan_service::contracts::Lender,
    /// How often each service stamps its evidence chain's head.
    pub evidence_stamps: cashloan_runtime::evidence::StampArgs,
    /// `log` (texts delivered to a file per mobile, kept in the outbox with codes masked) or `aliyun`.
    pub sms_provider: String,
    /// Who decides the sample products of a fresh installation: 1 the rules, 0 people.
    pub sample_review_mode: i32,
    /// How long a decision waits for the bureau, milliseconds.
    pub bureau_timeout_ms: u64,
    /// How long an application waits for an unreachable risk-service before people get it, seconds.
    pub decision_give_up_s: u64,
    /// How often the decision worker looks for applications to decide, milliseconds.
    pub decision_interval_ms: u64,
    /// Fixed loopback ports for the services (message, auth, product, loan, risk from this one up);
    /// None: free ports.
    pub service_base_port: Option<u16>,
    pub aliyun: message_service::aliyun_sms::AliyunConfig,
    /// The service keys (`cashloan-keys`); None: a new set at each start.
    pub identities: Option<identity::Deployment>,
}

impl StackConfig {
    /// The defaults, with gateway settings (app keys, window, …) from the environment.
    pub fn new(admin_token: String) -> Result<Self, StackError> {
        let gateway = cashloan_gateway::Config::try_parse_from(["gateway"])
            .map_err(|e| StackError::Config(e.to_string()))?;
        Ok(Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9999)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 9998)),
            admin_token,
            data_dir: PathBuf::from("data"),
            postgres: None,
            database_prefix: "cashloan".into(),
            db_pool_size: cashloan_runtime::db::DEFAULT_POOL_SIZE,
            redis: None,
            kv_namespace: String::new(),
            gateway,
            policy: auth_service::Policy::default(),
            provider_deadline_ms: 5000,
            rate_cap_ppm: 360_000,
            default_credit_fen: 500_000,
            clock: cashloan_runtime::clock::Clock::default(),
            relay_interval_ms: 1000,
            job_interval_ms: 60_000,
            payments: loan_service::PaymentArgs::default(),
            lender: Default::default(),
            evidence_stamps: Default::default(),
            sms_provider: "log".into(),
            sample_review_mode: 1,
            bureau_timeout_ms: 2000,
            decision_give_up_s: 600,
            decision_interval_ms: 200,
            service_base_port: None,
            aliyun: message_service::aliyun_sms::AliyunConfig::from_env().map_err(StackError::Config)?,
            identities: None,
        })
    }

    /// The `log` SMS provider's phones: a file of texts per mobile.
    pub fn sms_spool_dir(&self) -> PathBuf {
        self.data_dir.join("sms-spool")
    }

    /// The folder relay's queue of mail to operators (their enrolment links).
    pub fn operator_mail_dir(&self) -> PathBuf {
        self.data_dir.join("operator-mail")
    }

    /// The database URL of one service (created on PostgreSQL when missing, off the async
    /// threads).
    async fn database_url(&self, service: &str) -> Result<String, StackError> {
        match &self.postgres {
            Some(server) => {
                let name = format!("{}_{service}", self.database_prefix);
                let (owned, created) = (server.clone(), name.clone());
                tokio::task::spawn_blocking(move || ensure_postgres_database(&owned, &created))
                    .await
                    .map_err(|e| StackError::Config(e.to_string()))??;
                Ok(postgres_database_url(server, &name))
            }
            None => Ok(format!(
                "sqlite://{}",
                self.data_dir.join(format!("{service}.db")).display()
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Kv(#[from] cashloan_runtime::KvError),
    #[error(transparent)]
    Auth(#[from] auth_service::StartError),
    #[error(transparent)]
    Message(#[from] message_service::StartError),
    #[error(transparent)]
    Product(#[from] product_service::StartError),
    #[error(transparent)]
    Loan(#[from] loan_service::StartError),
    #[error(transparent)]
    Risk(#[from] risk_service::StartError),
    #[error(transparent)]
    Gateway(#[from] cashloan_gateway::StartError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("start-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

struct RunningService {
    name: &'static str,
    addr: SocketAddr,
    stop: ShutdownTrigger,
    task: JoinHandle<()>,
}

/// A running stack; `stop` shuts it down gracefully.
pub struct Stack {
    pub api_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    services: Vec<RunningService>,
    gateway: cashloan_gateway::RunningGateway,
    /// What restarting message-service needs.
    message: (message_service::Config, SocketAddr),
    /// What restarting risk-service needs.
    risk: (risk_service::Config, SocketAddr),
    clock: cashloan_runtime::clock::Clock,
    /// This start's service keys: a client of our own signs with them (tests, tools).
    pub identities: identity::Deployment,
}

/// Runs one service until its own shutdown trigger fires.
fn spawn_service<F, Fut>(name: &'static str, addr: SocketAddr, serve: F) -> RunningService
where
    F: FnOnce(cashloan_runtime::Shutdown) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let (stop, shutdown) = shutdown::channel();
    let served = serve(shutdown);
    let task = tokio::spawn(async move {
        if let Err(e) = served.await {
            tracing::error!(service = name, error = %e, "service stopped");
        }
    });
    RunningService {
        name,
        addr,
        stop,
        task,
    }
}

fn spawn_message_service(
    core: message_service::MessageCore,
    listener: TcpListener,
    addr: SocketAddr,
) -> RunningService {
    spawn_service("message-service", addr, |shutdown| async move {
        message_service::serve(core, listener, shutdown)
            .await
            .map_err(|e| e.to_string())
    })
}

fn spawn_risk_service(
    core: risk_service::RiskCore,
    listener: TcpListener,
    addr: SocketAddr,
) -> RunningService {
    spawn_service("risk-service", addr, |shutdown| async move {
        risk_service::serve(core, listener, shutdown)
            .await
            .map_err(|e| e.to_string())
    })
}

/// A loopback listener on `port`, or on a free port when None.
async fn loopback_listener(port: Option<u16>) -> Result<(TcpListener, SocketAddr), StackError> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0)))).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

impl Stack {
    pub async fn start(config: StackConfig) -> Result<Stack, StackError> {
        let kv = Kv::from_url(config.redis.as_deref())?.with_namespace(&config.kv_namespace);
        let port = |offset: u16| config.service_base_port.map(|base| base + offset);
        let (message_listener, message_addr) = loopback_listener(port(0)).await?;
        let (auth_listener, auth_addr) = loopback_listener(port(1)).await?;
        let (product_listener, product_addr) = loopback_listener(port(2)).await?;
        let (loan_listener, loan_addr) = loopback_listener(port(3)).await?;
        let (risk_listener, risk_addr) = loopback_listener(port(4)).await?;
        let message_url = format!("http://{message_addr}");
        let auth_url = format!("http://{auth_addr}");
        let product_url = format!("http://{product_addr}");
        let loan_url = format!("http://{loan_addr}");
        // Bound first: the payment channel is told where to post notifications.
        let api = std::net::TcpListener::bind(config.listen)?;
        let api_addr = api.local_addr()?;
        // Bound early too: enrolment links point at the console.
        let admin = std::net::TcpListener::bind(config.admin_listen)?;
        let console_url = format!("http://{}/console", admin.local_addr()?);

        // Each service opens its database off the async threads; all read time from one clock.
        let clock = config.clock.clone();
        // Every call between the services is signed: with the keys given, or a set for this start.
        let identities = config
            .identities
            .clone()
            .unwrap_or_else(identity::Deployment::generate);
        let message_config = message_service::Config {
            database_url: config.database_url("message").await?,
            db_pool_size: config.db_pool_size,
            sms_provider: config.sms_provider.clone(),
            sms_spool_dir: config.sms_spool_dir(),
            aliyun: config.aliyun.clone(),
            identity: identities.args("message"),
        };
        let message_core = message_service::build(&message_config, clock.clone()).await?;
        let auth_config = auth_service::Config {
            database_url: config.database_url("auth").await?,
            db_pool_size: config.db_pool_size,
            message_addr: message_url.clone(),
            // The embedded default: keys generated once and kept beside the data.
            pii: cashloan_runtime::pii::PiiArgs::from_file(config.data_dir.join("pii.keys")),
            provider_deadline_ms: config.provider_deadline_ms,
            policy: config.policy.clone(),
            stamps: config.evidence_stamps.clone(),
            console_url,
            operator_mail_dir: config.operator_mail_dir(),
            identity: identities.args(identity::AUTH),
        };
        let auth_core = auth_service::build(&auth_config, kv.clone(), clock.clone()).await?;
        let product_config = product_service::Config {
            database_url: config.database_url("product").await?,
            db_pool_size: config.db_pool_size,
            rate_cap_ppm: config.rate_cap_ppm,
            cache_ttl_secs: 5,
            sample_review_mode: config.sample_review_mode,
            identity: identities.args("product"),
        };
        let product_core = product_service::build(&product_config, clock.clone()).await?;
        let risk_config = risk_service::Config {
            database_url: config.database_url("risk").await?,
            db_pool_size: config.db_pool_size,
            auth_addr: auth_url.clone(),
            bureau: "local".into(),
            bureau_timeout_ms: config.bureau_timeout_ms,
            rate_cap_ppm: config.rate_cap_ppm,
            pii: cashloan_runtime::pii::PiiArgs::from_file(config.data_dir.join("pii.keys")),
            stamps: config.evidence_stamps.clone(),
            identity: identities.args(identity::RISK),
        };
        let risk_core = risk_service::build(&risk_config, clock.clone()).await?;
        let loan_config = loan_service::Config {
            database_url: config.database_url("loan").await?,
            db_pool_size: config.db_pool_size,
            product_addr: product_url.clone(),
            auth_addr: auth_url.clone(),
            message_addr: message_url.clone(),
            risk_addr: format!("http://{risk_addr}"),
            decision_interval_ms: config.decision_interval_ms,
            decision_give_up_s: config.decision_give_up_s,
            relay_interval_ms: config.relay_interval_ms,
            job_interval_ms: config.job_interval_ms,
            apr_cap_ppm: config.rate_cap_ppm,
            default_credit_fen: config.default_credit_fen,
            pii: cashloan_runtime::pii::PiiArgs::from_file(config.data_dir.join("pii.keys")),
            lender: config.lender.clone(),
            stamps: config.evidence_stamps.clone(),
            payments: loan_service::PaymentArgs {
                channel_notify_url: match config.payments.channel_notify_url.as_str() {
                    "" => format!("http://{api_addr}/notify/payment"),
                    url => url.to_owned(),
                },
                ..config.payments.clone()
            },
            identity: identities.args(identity::LOAN),
        };
        let loan_core = loan_service::build(&loan_config, clock.clone()).await?;

        let mut services = vec![spawn_message_service(
            message_core,
            message_listener,
            message_addr,
        )];
        services.push(spawn_service("auth-service", auth_addr, |shutdown| async move {
            auth_service::serve(auth_core, auth_listener, shutdown)
                .await
                .map_err(|e| e.to_string())
        }));
        services.push(spawn_service(
            "product-service",
            product_addr,
            |shutdown| async move {
                product_service::serve(product_core, product_listener, shutdown)
                    .await
                    .map_err(|e| e.to_string())
            },
        ));
        services.push(spawn_risk_service(risk_core, risk_listener, risk_addr));
        services.push(spawn_service("loan-service", loan_addr, |shutdown| async move {
            loan_service::serve(loan_core, loan_listener, shutdown)
                .await
                .map_err(|e| e.to_string())
        }));

        let mut gateway_config = config.gateway.clone();
        gateway_config.auth_addr = auth_url;
        gateway_config.message_addr = message_url;
        gateway_config.product_addr = product_url;
        gateway_config.loan_addr = loan_url;
        gateway_config.risk_addr = format!("http://{risk_addr}");
        gateway_config.admin_token = Some(config.admin_token.clone());
        gateway_config.service_key = identities.key(identity::GATEWAY);
        gateway_config.admin_service_key = identities.key(identity::GATEWAY_ADMIN);
        let gateway = cashloan_gateway::start(gateway_config, kv, api, Some(admin))?;
        for s in &services {
            tracing::info!(service = s.name, addr = %s.addr, "service listening");
        }
        Ok(Stack {
            api_addr: gateway.api_addr,
            admin_addr: gateway.admin_addr.expect("the stack always has an admin token"),
            services,
            gateway,
            message: (message_config, message_addr),
            risk: (risk_config, risk_addr),
            clock,
            identities,
        })
    }

    /// The loopback gRPC address of a running service.
    pub fn service_addr(&self, name: &str) -> Option<SocketAddr> {
        self.services.iter().find(|s| s.name == name).map(|s| s.addr)
    }

    /// Stops one service (tests: what the gateway does when a service is down).
    pub async fn stop_service(&mut self, name: &str) {
        if let Some(i) = self.services.iter().position(|s| s.name == name) {
            let service = self.services.remove(i);
            service.stop.trigger();
            let _ = service.task.await;
        }
    }

    /// Starts message-service again on its old address after `stop_service` (tests: what waits
    /// for it arrives once it is back). Other services do not restart.
    pub async fn restart_message_service(&mut self) -> Result<(), StackError> {
        let (config, addr) = self.message.clone();
        if self.service_addr("message-service").is_some() {
            return Err(StackError::Config("message-service is running".into()));
        }
        let core = message_service::build(&config, self.clock.clone()).await?;
        let listener = rebind(addr).await?;
        self.services.push(spawn_message_service(core, listener, addr));
        Ok(())
    }

    /// Starts risk-service again on its old address after `stop_service` (tests: decisions that
    /// waited for it are made once it is back).
    pub async fn restart_risk_service(&mut self) -> Result<(), StackError> {
        let (config, addr) = self.risk.clone();
        if self.service_addr("risk-service").is_some() {
            return Err(StackError::Config("risk-service is running".into()));
        }
        let core = risk_service::build(&config, self.clock.clone()).await?;
        let listener = rebind(addr).await?;
        self.services.push(spawn_risk_service(core, listener, addr));
        Ok(())
    }

    /// Stops the gateway first (no new calls), then the services.
    pub async fn stop(self) {
        self.gateway.stop().await;
        for service in self.services {
            service.stop.trigger();
            let _ = service.task.await;
        }
    }
}

/// The old port again; it may still be held for a moment by what it served.
async fn rebind(addr: SocketAddr) -> Result<TcpListener, StackError> {
    let mut bound = TcpListener::bind(addr).await;
    for _ in 0..30 {
        if bound.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        bound = TcpListener::bind(addr).await;
    }
    Ok(bound?)
}

/// A random admin token for a launcher started without one.
pub fn generate_admin_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}
