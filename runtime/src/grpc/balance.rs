//! Calls spread over every replica of a service (ARCHITECTURE.md "scaling"). An address may name
//! several endpoints: a comma-separated list (`http://a:50051,http://b:50051`) or
//! `dns:///name:port`, resolved again every second, each A/AAAA record an endpoint (a Kubernetes
//! headless Service, compose `--scale`). A watcher keeps the balancer's set to the endpoints that
//! answer the standard health check: one that stops answering is taken out within a second or two
//! (at once when a call found it unavailable), and put back when it answers again. Calls go to the less loaded of two
//! endpoints picked at random (tower's power of two choices, in tonic's balanced channel).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

/// Where a service's endpoints come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// One address: a plain channel, as before.
    Single(String),
    /// A fixed list.
    List(Vec<String>),
    /// Every address a name resolves to, resolved again and again.
    Dns { host: String, port: u16 },
}

impl Targets {
    pub fn parse(addr: &str) -> Result<Self, String> {
        if let Some(rest) = addr.strip_prefix("dns:///") {
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| format!("{addr:?}: dns:///host:port"))?;
            let port = port.parse().map_err(|_| format!("{addr:?}: port"))?;
            if host.is_empty() {
                return Err(format!("{addr:?}: no host"));
            }
            return Ok(Self::Dns {
                host: host.to_owned(),
                port,
            });
        }
        let list: Vec<String> = addr
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        match list.len() {
            0 => Err("no address".into()),
            1 => Ok(Self::Single(list[0].clone())),
            _ => Ok(Self::List(list)),
        }
    }

    async fn resolve(&self) -> Vec<String> {
        match self {
            Self::Single(a) => vec![a.clone()],
            Self::List(list) => list.clone(),
            Self::Dns { host, port } => match tokio::net::lookup_host((host.as_str(), *port)).await {
                Ok(addrs) => {
                    let mut found: Vec<String> = addrs.map(|a| format!("http://{a}")).collect();
                    found.sort();
                    found.dedup();
                    found
                }
                Err(e) => {
                    tracing::warn!(%host, error = %e, "service name did not resolve");
                    Vec::new()
                }
            },
        }
    }
}

/// How often the endpoints are checked (and a name resolved again): a replica that stops is out
/// of the balancer within about this long.
const ROUND: Duration = Duration::from_secs(1);

/// A channel over every endpoint of `targets`, kept up to date by a watcher task that lives as
/// long as the channel. Notifying the returned `Notify` (a call found an endpoint unavailable)
/// starts the next round at once instead of at the end of the second.
pub fn balanced_channel(
    targets: Targets,
    configure: impl Fn(Endpoint) -> Endpoint + Send + Sync + 'static,
) -> Result<(Channel, Arc<Notify>), String> {
    let endpoint = move |uri: &str| {
        Endpoint::from_shared(uri.to_owned())
            .map(&configure)
            .map_err(|e| format!("{uri:?}: {e}"))
    };
    // Addresses that do not parse are refused now, not at the first call.
    if let Targets::List(list) = &targets {
        for uri in list {
            endpoint(uri)?;
        }
    }
    let (channel, changes) = Channel::balance_channel::<String>(64);
    let failure = Arc::new(Notify::new());
    let failed = failure.clone();
    tokio::spawn(async move {
        let mut live: HashSet<String> = HashSet::new();
        let mut probes: HashMap<String, HealthClient<Channel>> = HashMap::new();
        loop {
            let found = targets.resolve().await;
            for uri in &found {
                let Ok(point) = endpoint(uri) else { continue };
                let probe = probes.entry(uri.clone()).or_insert_with(|| {
                    HealthClient::new(
                        point
                            .clone()
                            .connect_timeout(Duration::from_millis(500))
                            .timeout(Duration::from_secs(1))
                            .connect_lazy(),
                    )
                });
                let answers = matches!(
                    probe.check(HealthCheckRequest::default()).await,
                    Ok(r) if r.get_ref().status == ServingStatus::Serving as i32
                );
                let change = match (answers, live.contains(uri)) {
                    (true, false) => {
                        tracing::info!(endpoint = %uri, "endpoint in");
                        live.insert(uri.clone());
                        Change::Insert(uri.clone(), point)
                    }
                    (false, true) => {
                        tracing::warn!(endpoint = %uri, "endpoint out: no answer to the health check");
                        live.remove(uri);
                        Change::Remove(uri.clone())
                    }
                    _ => continue,
                };
                if changes.send(change).await.is_err() {
                    return; // The channel is gone.
                }
            }
            let gone: Vec<String> = live.iter().filter(|u| !found.contains(u)).cloned().collect();
            for uri in gone {
                live.remove(&uri);
                probes.remove(&uri);
                if changes.send(Change::Remove(uri)).await.is_err() {
                    return;
                }
            }
            if changes.is_closed() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(ROUND) => {}
                _ = failed.notified() => {}
            }
        }
    });
    Ok((channel, failure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_one_or_many_endpoints() {
        assert_eq!(
            Targets::parse("http://auth:50051").unwrap(),
            Targets::Single("http://auth:50051".into())
        );
        assert_eq!(
            Targets::parse("http://a:1, http://b:1").unwrap(),
            Targets::List(vec!["http://a:1".into(), "http://b:1".into()])
        );
        assert_eq!(
            Targets::parse("dns:///auth-service:50051").unwrap(),
            Targets::Dns {
                host: "auth-service".into(),
                port: 50051
            }
        );
        assert!(Targets::parse("dns:///auth-service").is_err());
        assert!(Targets::parse("dns:///:50051").is_err());
        assert!(Targets::parse(" , ").is_err());
    }
}
