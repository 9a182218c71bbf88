//! A deployment's service keys (SECURITY.md, "Host or network foothold"): one Ed25519 key per
//! identity and the list of their public keys, as environment lines — `<IDENTITY>_SERVICE_KEY=…`
//! for each process's `SERVICE_KEY` (the gateway's admin side: `ADMIN_SERVICE_KEY`) and
//! `SERVICE_PEERS=…` for every service. `cashloan-keys > .env` for docker compose; a Kubernetes
//! Secret from the same file (deploy/kubernetes).

use cashloan_runtime::grpc::identity::{Deployment, EVERY_IDENTITY};

fn main() {
    let keys = Deployment::generate();
    println!("# cashloan service keys: keep secret, give each process only its own key");
    for name in EVERY_IDENTITY {
        println!("{}={}", Deployment::variable(name), keys.key(name));
    }
    println!("SERVICE_PEERS={}", keys.peers());
}
