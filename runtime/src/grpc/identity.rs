//! Who is calling (issue 28, finding 3). Every call between services carries a token its caller
//! signs with its own Ed25519 key — over its name, the method, a deadline a minute ahead and, from
//! the gateway's admin side, the operator it acts for — and each service admits a method only to
//! the callers its table names. A port reached from the network without a key gets nothing; a
//! token seen on the wire opens only that method, for a minute.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::Status;

/// The callers there are: the gateway's app side, its admin side, and the services that call others.
pub const GATEWAY: &str = "gateway";
pub const GATEWAY_ADMIN: &str = "gateway-admin";
pub const AUTH: &str = "auth";
pub const LOAN: &str = "loan";
pub const RISK: &str = "risk";
/// Every identity a deployment has, as `cashloan-keys` makes them.
pub const EVERY_IDENTITY: [&str; 7] = [GATEWAY, GATEWAY_ADMIN, AUTH, LOAN, RISK, "product", "message"];

/// `--service-key` and `--service-peers`, as every service takes them.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct IdentityArgs {
    /// This process's Ed25519 key (PKCS#8, base64url) that signs its calls to other services;
    /// `cashloan-keys` makes a deployment's set.
    #[arg(
        long = "service-key",
        env = "SERVICE_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub service_key: String,
    /// The callers this service admits: `name=<public key>,…` (`cashloan-keys`).
    #[arg(long = "service-peers", env = "SERVICE_PEERS", default_value = "")]
    pub service_peers: String,
}

impl IdentityArgs {
    /// The signer of this process's calls, as `name`.
    pub fn signer(&self, name: &str) -> Result<Signer, IdentityError> {
        if self.service_key.trim().is_empty() {
            return Err(IdentityError::Key(format!(
                "{name}: SERVICE_KEY is not set (cashloan-keys makes one)"
            )));
        }
        Ok(Signer::new(ServiceKey::from_text(name, &self.service_key)?))
    }

    /// The callers admitted; never none, so a service without them refuses to start rather than
    /// serve anyone.
    pub fn peers(&self) -> Result<Peers, IdentityError> {
        let peers = Peers::parse(&self.service_peers)?;
        if peers.is_empty() {
            return Err(IdentityError::Peers(
                "SERVICE_PEERS is not set (cashloan-keys makes it)".into(),
            ));
        }
        Ok(peers)
    }
}

/// A deployment's keys, one per identity (`EVERY_IDENTITY`), as `--service-key` takes them; the
/// all-in-one launcher makes a set at each start, `cashloan-keys` prints one for a deployment.
#[derive(Clone)]
pub struct Deployment {
    keys: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.keys.iter().map(|(n, _)| *n).collect();
        f.debug_struct("Deployment")
            .field("identities", &names)
            .finish_non_exhaustive()
    }
}

impl Deployment {
    pub fn generate() -> Self {
        Self {
            keys: EVERY_IDENTITY
                .iter()
                .map(|name| (*name, ServiceKey::new_text()))
                .collect(),
        }
    }

    /// The variable `cashloan-keys` prints `name`'s key under (`GATEWAY_ADMIN_SERVICE_KEY`).
    pub fn variable(name: &str) -> String {
        format!("{}_SERVICE_KEY", name.to_ascii_uppercase().replace('-', "_"))
    }

    /// A set as `cashloan-keys` printed it; every identity's key must be there.
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let lines: Vec<(&str, &str)> = text.lines().filter_map(|l| l.trim().split_once('=')).collect();
        let keys = EVERY_IDENTITY
            .iter()
            .map(|name| {
                let wanted = Self::variable(name);
                let key = lines
                    .iter()
                    .find(|(k, _)| *k == wanted)
                    .map(|(_, v)| (*v).to_owned())
                    .ok_or_else(|| IdentityError::Key(format!("{name}: no {wanted}")))?;
                ServiceKey::from_text(name, &key)?;
                Ok((*name, key))
            })
            .collect::<Result<_, IdentityError>>()?;
        Ok(Self { keys })
    }

    /// The key of `name` (one of `EVERY_IDENTITY`).
    pub fn key(&self, name: &str) -> String {
        self.keys
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| k.clone())
            .unwrap_or_default()
    }

    /// Every identity's public key, as `--service-peers` takes them.
    pub fn peers(&self) -> String {
        self.keys
            .iter()
            .filter_map(|(name, key)| ServiceKey::from_text(name, key).ok())
            .map(|k| k.peer_entry())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// What a service started as `name` is given.
    pub fn args(&self, name: &str) -> IdentityArgs {
        IdentityArgs {
            service_key: self.key(name),
            service_peers: self.peers(),
        }
    }

    /// A signer as `name`, for a client of our own (tests, tools).
    pub fn signer(&self, name: &str) -> Signer {
        Signer::new(ServiceKey::from_text(name, &self.key(name)).expect("keys made here parse"))
    }
}

/// `<caller>.<deadline ms>.<signature>`.
pub const CALLER_HEADER: &str = "x-cashloan-caller";
/// The operator a call from the gateway's admin side acts for (`token` for the bearer token).
pub const OPERATOR_HEADER: &str = "x-cashloan-operator";
/// How far ahead a token's deadline is set, and the most a verifier accepts.
const LIFETIME_MS: i64 = 60_000;
const LONGEST_MS: i64 = 5 * 60_000;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("service identity {0}: the key is not an Ed25519 PKCS#8 document")]
    Key(String),
    #[error("service peers: {0}")]
    Peers(String),
}

/// One service's signing key, under its name.
pub struct ServiceKey {
    name: String,
    pair: Ed25519KeyPair,
}

impl ServiceKey {
    /// A new key; with its PKCS#8 document, for whoever keeps it.
    pub fn generate(name: &str) -> (Self, Vec<u8>) {
        let rng = ring::rand::SystemRandom::new();
        let document = Ed25519KeyPair::generate_pkcs8(&rng).expect("the system's random source works");
        let key = Self::from_pkcs8(name, document.as_ref()).expect("a key just made parses");
        (key, document.as_ref().to_vec())
    }

    /// A new key as `--service-key` takes it.
    pub fn new_text() -> String {
        URL_SAFE_NO_PAD.encode(Self::generate("").1)
    }

    pub fn from_pkcs8(name: &str, der: &[u8]) -> Result<Self, IdentityError> {
        let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|_| IdentityError::Key(name.to_owned()))?;
        Ok(Self {
            name: name.to_owned(),
            pair,
        })
    }

    /// The key in base64 (URL alphabet) as `--service-key` takes it.
    pub fn from_text(name: &str, text: &str) -> Result<Self, IdentityError> {
        let der = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| IdentityError::Key(name.to_owned()))?;
        Self::from_pkcs8(name, &der)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `name=<public key>` as `--service-peers` lists it.
    pub fn peer_entry(&self) -> String {
        format!(
            "{}={}",
            self.name,
            URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
        )
    }

    fn token(&self, path: &str, operator: &str, now_ms: i64) -> String {
        let until = now_ms + LIFETIME_MS;
        let signature = self
            .pair
            .sign(signed_text(&self.name, path, until, operator).as_bytes());
        format!(
            "{}.{until}.{}",
            self.name,
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }
}

fn signed_text(caller: &str, path: &str, until: i64, operator: &str) -> String {
    format!("cashloan-call-v1\n{caller}\n{path}\n{until}\n{operator}")
}

fn now_ms() -> i64 {
    crate::clock::now_ms()
}

tokio::task_local! {
    static OPERATOR: String;
}

/// Runs `work` on behalf of `operator`: the calls it makes go out from the admin side, naming them.
pub async fn as_operator<F: Future>(operator: String, work: F) -> F::Output {
    OPERATOR.scope(operator, work).await
}

/// The operator the running task acts for, when inside `as_operator`; a task it spawns carries
/// it on with `as_operator` again.
pub fn current_operator() -> Option<String> {
    OPERATOR.try_with(Clone::clone).ok()
}

/// How a channel signs: as its service, or — inside `as_operator` — with the admin side's key.
#[derive(Clone)]
pub struct Signer {
    service: Arc<ServiceKey>,
    admin_side: Option<Arc<ServiceKey>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("service", &self.service.name)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn new(service: ServiceKey) -> Self {
        Self {
            service: Arc::new(service),
            admin_side: None,
        }
    }

    /// The gateway's: operator calls are signed by a key of their own.
    pub fn with_admin_side(mut self, admin: ServiceKey) -> Self {
        self.admin_side = Some(Arc::new(admin));
        self
    }

    pub(crate) fn sign(&self, headers: &mut http::HeaderMap, path: &str) {
        let operator = OPERATOR.try_with(Clone::clone).ok();
        let key = match (&operator, &self.admin_side) {
            (Some(_), Some(admin)) => admin,
            _ => &self.service,
        };
        let operator = operator.unwrap_or_default();
        if let Ok(value) = http::HeaderValue::from_str(&key.token(path, &operator, now_ms())) {
            headers.insert(CALLER_HEADER, value);
        }
        if !operator.is_empty() {
            if let Ok(value) = http::HeaderValue::from_str(&operator) {
                headers.insert(OPERATOR_HEADER, value);
            }
        }
    }
}

/// The callers a service knows: their names and public keys.
#[derive(Clone, Default)]
pub struct Peers {
    keys: Arc<HashMap<String, Vec<u8>>>,
}

impl Peers {
    /// `name=<public key>,…` (`ServiceKey::peer_entry`).
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let mut keys = HashMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, key) = entry
                .split_once('=')
                .ok_or_else(|| IdentityError::Peers(format!("{entry:?} is not name=key")))?;
            let key = URL_SAFE_NO_PAD
                .decode(key.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| IdentityError::Peers(format!("{name}: not an Ed25519 public key")))?;
            keys.insert(name.trim().to_owned(), key);
        }
        Ok(Self { keys: Arc::new(keys) })
    }

    pub fn of(keys: &[&ServiceKey]) -> Self {
        let text: Vec<String> = keys.iter().map(|k| k.peer_entry()).collect();
        Self::parse(&text.join(",")).expect("entries made here parse")
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The caller a request's token names, if its signature, method and deadline hold.
    fn verify(&self, headers: &http::HeaderMap, path: &str, now_ms: i64) -> Option<Caller> {
        let token = headers.get(CALLER_HEADER)?.to_str().ok()?;
        let operator = match headers.get(OPERATOR_HEADER) {
            Some(v) => v.to_str().ok()?.to_owned(),
            None => String::new(),
        };
        let mut parts = token.splitn(3, '.');
        let (name, until, signature) = (parts.next()?, parts.next()?, parts.next()?);
        let until: i64 = until.parse().ok()?;
        if until < now_ms || until > now_ms + LONGEST_MS {
            return None;
        }
        let key = self.keys.get(name)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        UnparsedPublicKey::new(&ED25519, key)
            .verify(signed_text(name, path, until, &operator).as_bytes(), &signature)
            .ok()?;
        Some(Caller {
            name: name.to_owned(),
            operator,
        })
    }
}

struct Caller {
    name: String,
    operator: String,
}

/// A service's table: the callers that may use a method (by its name, `ListSmsOutbox`).
pub type Policy = fn(method: &str) -> &'static [&'static str];

/// The methods of a `.proto` file's services that `policy` gives no caller (a test of each table:
/// a method added without callers is refused to everyone).
pub fn methods_without_callers(proto: &str, policy: Policy) -> Vec<String> {
    proto
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rpc "))
        .map(|l| l.split('(').next().unwrap_or_default().trim().to_owned())
        .filter(|method| policy(method).is_empty())
        .collect()
}

/// A service that admits only the callers its policy names.
#[derive(Clone)]
pub struct Guarded<S> {
    inner: S,
    peers: Peers,
    policy: Policy,
}

pub fn guard<S>(inner: S, peers: &Peers, policy: Policy) -> Guarded<S> {
    Guarded {
        inner,
        peers: peers.clone(),
        policy,
    }
}

impl<S: NamedService> NamedService for Guarded<S> {
    const NAME: &'static str = S::NAME;
}

type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> tower::Service<http::Request<Body>> for Guarded<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>, Error = std::convert::Infallible>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let path = request.uri().path().to_owned();
        let method = path.rsplit('/').next().unwrap_or_default().to_owned();
        let refusal = match self.peers.verify(request.headers(), &path, now_ms()) {
            None => Some(Status::unauthenticated("no valid service token")),
            Some(caller) if !(self.policy)(&method).contains(&caller.name.as_str()) => {
                tracing::warn!(caller = %caller.name, %method, "a service called a method not allowed to it");
                Some(Status::permission_denied("this caller may not call this method"))
            }
            Some(caller) => {
                if !caller.operator.is_empty() {
                    tracing::info!(caller = %caller.name, operator = %caller.operator, %method, "operator call");
                }
                None
            }
        };
        match refusal {
            Some(status) => {
                if status.code() == tonic::Code::Unauthenticated {
                    tracing::warn!(%method, "a call without a valid service token refused");
                }
                Box::pin(async move { Ok(status.into_http()) })
            }
            None => Box::pin(self.inner.call(request)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(signer: &Signer, path: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        signer.sign(&mut headers, path);
        headers
    }

    #[tokio::test]
    async fn a_token_opens_its_method_for_its_caller_only() {
        let (loan, _) = ServiceKey::generate("loan");
        let (stranger, _) = ServiceKey::generate("loan");
        let peers = Peers::of(&[&loan]);
        let signer = Signer::new(loan);
        let path = "/cashloan.auth.v1.Auth/GetVerifiedIdentity";
        let headers = headers_of(&signer, path);
        let now = now_ms();
        assert_eq!(
            peers.verify(&headers, path, now).map(|c| c.name).as_deref(),
            Some("loan")
        );
        assert!(
            peers
                .verify(&headers, "/cashloan.auth.v1.Auth/ListAudit", now)
                .is_none(),
            "another method"
        );
        assert!(
            peers.verify(&headers, path, now + LIFETIME_MS + 1).is_none(),
            "past its minute"
        );
        assert!(
            peers
                .verify(&headers_of(&Signer::new(stranger), path), path, now)
                .is_none(),
            "a key of the same name"
        );
        assert!(
            peers.verify(&http::HeaderMap::new(), path, now).is_none(),
            "no token"
        );
    }

    #[tokio::test]
    async fn the_operator_is_signed_by_the_admin_side() {
        let (gateway, _) = ServiceKey::generate("gateway");
        let (admin, _) = ServiceKey::generate("gateway-admin");
        let peers = Peers::of(&[&gateway, &admin]);
        let signer = Signer::new(gateway).with_admin_side(admin);
        let path = "/cashloan.loan.v1.Loan/SetCreditLine";
        let headers = as_operator("li.si".into(), async { headers_of(&signer, path) }).await;
        let caller = peers.verify(&headers, path, now_ms()).unwrap();
        assert_eq!(
            (caller.name.as_str(), caller.operator.as_str()),
            ("gateway-admin", "li.si")
        );
        let mut forged = headers.clone();
        forged.insert(OPERATOR_HEADER, http::HeaderValue::from_static("wang.admin"));
        assert!(
            peers.verify(&forged, path, now_ms()).is_none(),
            "the operator is signed"
        );
        assert_eq!(
            peers
                .verify(&headers_of(&signer, path), path, now_ms())
                .unwrap()
                .name,
            "gateway"
        );
    }

    #[test]
    fn keys_and_peers_round_trip_as_text() {
        let (key, der) = ServiceKey::generate("auth");
        let again = ServiceKey::from_text("auth", &URL_SAFE_NO_PAD.encode(der)).unwrap();
        assert_eq!(key.peer_entry(), again.peer_entry());
        assert!(Peers::parse(&key.peer_entry()).is_ok());
        assert!(Peers::parse("auth=short").is_err() && Peers::parse("auth").is_err());
        assert!(ServiceKey::from_text("auth", "not-a-key").is_err());
    }
}
