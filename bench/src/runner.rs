//! Closed loop (C clients, each sending its next request when the last is answered: throughput)
//! and open loop (requests sent at a fixed rate whatever happens, each request's latency measured
//! from when it was due, so a stall shows in the tail instead of hiding: no coordinated omission).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::scenarios::{one, Fixture, Scenario};

pub struct Outcome {
    pub latencies_us: Histogram<u64>,
    pub errors: usize,
    pub elapsed: Duration,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid histogram bounds")
}

/// `concurrency` clients as fast as they can for `duration`.
pub async fn closed(
    fixture: Arc<Fixture>,
    scenario: Scenario,
    concurrency: usize,
    duration: Duration,
) -> Outcome {
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        let (fixture, counter) = (fixture.clone(), counter.clone());
        clients.push(tokio::spawn(async move {
            let mut latencies = histogram();
            let mut errors = 0;
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                if let Err(e) = one(&fixture, scenario, i).await {
                    if errors < 3 {
                        eprintln!("error: {e}");
                    }
                    errors += 1;
                }
                let _ = latencies.record(sent.elapsed().as_micros() as u64);
            }
            (latencies, errors)
        }));
    }
    let mut total = histogram();
    let mut errors = 0;
    for client in clients {
        if let Ok((latencies, e)) = client.await {
            let _ = total.add(latencies);
            errors += e;
        }
    }
    Outcome {
        latencies_us: total,
        errors,
        elapsed: started.elapsed(),
    }
}

/// `rate` requests a second for `duration`, each latency counted from its intended send time.
pub async fn open(fixture: Arc<Fixture>, scenario: Scenario, rate: u64, duration: Duration) -> Outcome {
    let total = Arc::new(Mutex::new((histogram(), 0usize)));
    let started = tokio::time::Instant::now();
    let count = (rate as f64 * duration.as_secs_f64()) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let mut requests = Vec::with_capacity(count);
    for i in 0..count {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due).await;
        let (fixture, total) = (fixture.clone(), total.clone());
        requests.push(tokio::spawn(async move {
            let failed = one(&fixture, scenario, i).await.is_err();
            let latency = due.elapsed().as_micros() as u64;
            let mut total = total.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = total.0.record(latency);
            total.1 += usize::from(failed);
        }));
    }
    for request in requests {
        let _ = request.await;
    }
    let elapsed = started.elapsed();
    let (latencies_us, errors) = Arc::try_unwrap(total).map_or_else(
        |shared| {
            let guard = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (guard.0.clone(), guard.1)
        },
        |m| m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    Outcome {
        latencies_us,
        errors,
        elapsed,
    }
}
