//! The balanced channel over real gRPC servers on loopback: calls reach every replica, a replica
//! that stops is taken out, one that comes back is put back.

use std::time::Duration;

use cashloan_runtime::grpc::lazy_channel;
use cashloan_runtime::shutdown;
use tokio::net::TcpListener;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::ServingStatus;

/// A replica: a health service that knows `name` (so a call tells which replica answered).
async fn replica(name: &'static str, listener: TcpListener) -> shutdown::ShutdownTrigger {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter.set_service_status(name, ServingStatus::Serving).await;
    let (stop, stopped) = shutdown::channel();
    let router = cashloan_runtime::grpc::server().add_service(service);
    tokio::spawn(cashloan_runtime::grpc::serve(router, listener, stopped));
    stop
}

/// Which of `a` and `b` answered each of `n` calls (None: an error).
async fn answers(
    client: &mut HealthClient<cashloan_runtime::grpc::GrpcChannel>,
    n: usize,
) -> (usize, usize, usize) {
    let (mut a, mut b, mut failed) = (0, 0, 0);
    for _ in 0..n {
        // A replica answers NOT_FOUND for the other's name: ask for "a" and read the status.
        match client.check(HealthCheckRequest { service: "a".into() }).await {
            Ok(_) => a += 1,
            Err(s) if s.code() == tonic::Code::NotFound => b += 1,
            Err(_) => failed += 1,
        }
    }
    (a, b, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_every_replica_and_skip_one_that_stopped() {
    let (la, lb) = (
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    );
    let (addr_a, addr_b) = (la.local_addr().unwrap(), lb.local_addr().unwrap());
    let _stop_a = replica("a", la).await;
    let stop_b = replica("b", lb).await;
    let channel = lazy_channel(
        &format!("http://{addr_a},http://{addr_b}"),
        Duration::from_secs(2),
    )
    .unwrap();
    let mut client = HealthClient::new(channel);
    // The watcher checks both before the first call is sent.
    let (a, b, failed) = answers(&mut client, 200).await;
    assert_eq!(failed, 0);
    assert!(a > 40 && b > 40, "both replicas used: a {a}, b {b}");

    stop_b.trigger();
    // Taken out within its alert round (a second or two); calls in the meantime may fail.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (a, b, failed) = answers(&mut client, 100).await;
    assert_eq!((a, b, failed), (100, 0, 0), "only the replica that answers");

    // The same address answers again: put back.
    let lb = TcpListener::bind(addr_b).await.unwrap();
    let _stop_b = replica("b", lb).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (a, b, failed) = answers(&mut client, 200).await;
    assert_eq!(failed, 0);
    assert!(a > 40 && b > 40, "back in: a {a}, b {b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dns_name_is_every_address_it_resolves_to() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _stop = replica("a", listener).await;
    let channel = lazy_channel(&format!("dns:///localhost:{port}"), Duration::from_secs(2)).unwrap();
    let mut client = HealthClient::new(channel);
    let (a, _, failed) = answers(&mut client, 20).await;
    assert_eq!(
        (a, failed),
        (20, 0),
        "localhost's address that listens serves every call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_replica_answering_a_call_ends_at_its_deadline() {
    // Two ports nobody listens on.
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let (a, b) = (free(), free());
    let channel = lazy_channel(&format!("http://{a},http://{b}"), Duration::from_millis(500)).unwrap();
    let started = std::time::Instant::now();
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "not left waiting");
}

mod repeat {
    //! A repeatable call (a read its proto marks NO_SIDE_EFFECTS) that meets UNAVAILABLE is made
    //! once more; a write never is.

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use cashloan_proto::product::v1 as pb;
    use pb::product_client::ProductClient;
    use pb::product_server::{Product, ProductServer};
    use tonic::{Request, Response, Status};

    use super::*;

    /// Every other call fails as an overloaded or restarting replica does.
    #[derive(Clone, Default)]
    struct Flaky {
        calls: Arc<AtomicUsize>,
    }

    impl Flaky {
        fn answer<T>(&self, reply: T) -> Result<Response<T>, Status> {
            if self.calls.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
                Err(Status::unavailable("busy"))
            } else {
                Ok(Response::new(reply))
            }
        }
    }

    #[tonic::async_trait]
    impl Product for Flaky {
        async fn list_products(
            &self,
            _: Request<pb::ListProductsRequest>,
        ) -> Result<Response<pb::ProductList>, Status> {
            self.answer(pb::ProductList::default())
        }
        async fn get_product(
            &self,
            _: Request<pb::GetProductRequest>,
        ) -> Result<Response<pb::ProductInfo>, Status> {
            self.answer(pb::ProductInfo::default())
        }
        async fn upsert_product(
            &self,
            _: Request<pb::ProductInfo>,
        ) -> Result<Response<pb::UpsertProductReply>, Status> {
            self.answer(pb::UpsertProductReply::default())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_is_made_once_more_and_a_write_never() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let flaky = Flaky::default();
        let (_stop, stopped) = shutdown::channel();
        let router = cashloan_runtime::grpc::server().add_service(ProductServer::new(flaky.clone()));
        tokio::spawn(cashloan_runtime::grpc::serve(router, listener, stopped));
        let mut client =
            ProductClient::new(lazy_channel(&format!("http://{addr}"), Duration::from_secs(2)).unwrap());

        for round in 0..5 {
            let before = flaky.calls.load(Ordering::SeqCst);
            client
                .list_products(pb::ListProductsRequest::default())
                .await
                .unwrap_or_else(|s| panic!("round {round}: {s:?}"));
            client
                .get_product(pb::GetProductRequest { id: "p".into() })
                .await
                .unwrap_or_else(|s| panic!("round {round}: {s:?}"));
            assert_eq!(
                flaky.calls.load(Ordering::SeqCst) - before,
                4,
                "two reads, each twice"
            );
        }

        let before = flaky.calls.load(Ordering::SeqCst);
        let status = client
            .upsert_product(pb::ProductInfo::default())
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unavailable);
        assert_eq!(
            flaky.calls.load(Ordering::SeqCst) - before,
            1,
            "a write is made once"
        );
    }
}
