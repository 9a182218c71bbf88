//! The local payment-channel simulator (PAYMENTS.md "The local simulator"), the default channel:
//! the last four digits of the card choose a behaviour, so every path of a real channel (an
//! immediate answer, a late notification, a lost reply, duplicates, a late decline) can be driven
//! end to end. Like a real channel it remembers orders by number: a resubmission moves no money
//! again, and a query answers from what it did.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cashloan_runtime::clock::{format_datetime_cst, Clock};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::payments::channel::statement::{Statement, StatementLine};
use crate::payments::channel::{Instruction, PaymentChannel, Report};
use crate::payments::order::{OrderKind, Outcome};

/// One scripted behaviour of the simulator for an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Script {
    /// `SUCCESS` in the reply.
    SucceedAtOnce,
    /// `FAIL` in the reply, a final decline with this reason.
    DeclineAtOnce(&'static str),
    /// `ACCEPTED`, then one `SUCCESS` notification after the delay.
    SucceedByNotification(Duration),
    /// The submit times out (the outcome is unknown); a query after the delay says `SUCCESS`.
    SucceedOnQuery(Duration),
    /// `ACCEPTED`; the `SUCCESS` notification arrives three times, the first before the reply.
    TripleNotification,
    /// `ACCEPTED`, then a `FAIL` notification (a final decline with this reason) after the delay.
    DeclineByNotification(Duration, &'static str),
}

pub const INSUFFICIENT_BALANCE: &str = "余额不足";
pub const ACCOUNT_ABNORMAL: &str = "账户状态异常";

/// The behaviour for an order of `kind` to `card_no`.
pub fn script(card_no: &str, kind: OrderKind) -> Script {
    let suffix = card_no.get(card_no.len().saturating_sub(4)..).unwrap_or_default();
    match (suffix, kind) {
        ("0000", OrderKind::Repay) => Script::DeclineAtOnce(INSUFFICIENT_BALANCE),
        ("0001", _) => Script::SucceedByNotification(Duration::from_secs(5)),
        ("0002", _) => Script::SucceedOnQuery(Duration::from_secs(5)),
        ("0003", _) => Script::TripleNotification,
        ("0004", _) => Script::DeclineByNotification(Duration::from_secs(2), INSUFFICIENT_BALANCE),
        ("0009", k) if k.sends_money() => Script::DeclineAtOnce(ACCOUNT_ABNORMAL),
        _ => Script::SucceedAtOnce,
    }
}

/// The channel's code of a decline.
fn decline_code(why: &str) -> &'static str {
    if why == ACCOUNT_ABNORMAL {
        "ACCOUNT_ABNORMAL"
    } else {
        "INSUFFICIENT_BALANCE"
    }
}

impl Script {
    /// How long after the submit the order finishes, and whether it succeeds.
    fn finish(&self) -> (Duration, Result<(), &'static str>) {
        match self {
            Self::SucceedAtOnce | Self::TripleNotification => (Duration::ZERO, Ok(())),
            Self::DeclineAtOnce(why) => (Duration::ZERO, Err(why)),
            Self::SucceedByNotification(after) | Self::SucceedOnQuery(after) => (*after, Ok(())),
            Self::DeclineByNotification(after, why) => (*after, Err(why)),
        }
    }
}

/// An order the simulator has taken.
#[derive(Clone)]
struct Taken {
    kind: OrderKind,
    amount_fen: i64,
    script: Script,
    submitted: Instant,
    /// When it finishes, in epoch ms of the service clock.
    finished_ms: i64,
    channel_order_no: String,
}

impl Taken {
    /// What a query says now.
    fn report(&self, order_no: &str) -> Report {
        let (after, result) = self.script.finish();
        let outcome = if self.submitted.elapsed() < after {
            Outcome::Accepted
        } else {
            match result {
                Ok(()) => Outcome::Success {
                    amount_fen: self.amount_fen,
                },
                Err(why) => Outcome::Fail {
                    code: decline_code(why).into(),
                    final_decline: true,
                },
            }
        };
        let finished = !matches!(outcome, Outcome::Accepted);
        Report {
            order_no: order_no.to_owned(),
            message: result.err().filter(|_| finished).map(str::to_owned),
            outcome,
            channel_order_no: Some(self.channel_order_no.clone()),
            finished_at: finished.then(|| format_datetime_cst(self.finished_ms)),
        }
    }
}

/// The in-process channel. Its notifications go to `notifications`, where the service settles
/// them as it settles those the HTTP endpoint receives.
pub struct LocalChannel {
    latency: Duration,
    clock: Clock,
    taken: Arc<Mutex<HashMap<String, Taken>>>,
    notifications: UnboundedSender<Report>,
}

impl LocalChannel {
    pub fn new(latency: Duration, clock: Clock, notifications: UnboundedSender<Report>) -> Self {
        Self {
            latency,
            clock,
            taken: Default::default(),
            notifications,
        }
    }

    fn taken(&self, order_no: &str) -> Option<Taken> {
        self.taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(order_no)
            .cloned()
    }

    /// Sends the order's notification `times` times, `after` the submit, 200 ms apart.
    fn notify(&self, order_no: &str, order: &Taken, after: Duration, times: u32) {
        let (order_no, order, sink) = (order_no.to_owned(), order.clone(), self.notifications.clone());
        tokio::spawn(async move {
            tokio::time::sleep_until(order.submitted + after).await;
            for n in 0..times {
                if n > 0 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                let _ = sink.send(order.report(&order_no));
            }
        });
    }
}

#[tonic::async_trait]
impl PaymentChannel for LocalChannel {
    async fn submit(&self, order: &Instruction) -> Report {
        tokio::time::sleep(self.latency).await;
        if let Some(known) = self.taken(&order.order_no) {
            // A resubmission: the channel's idempotency, no second movement.
            return known.report(&order.order_no);
        }
        let script = script(&order.card.card_no, order.kind);
        let (after, _) = script.finish();
        let taken = Taken {
            kind: order.kind,
            amount_fen: order.amount_fen,
            script: script.clone(),
            submitted: Instant::now(),
            finished_ms: self.clock.now_ms() + after.as_millis() as i64,
            channel_order_no: format!("SIM{}", order.order_no),
        };
        self.taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(order.order_no.clone(), taken.clone());
        match script {
            Script::SucceedAtOnce | Script::DeclineAtOnce(_) => taken.report(&order.order_no),
            Script::SucceedByNotification(after) | Script::DeclineByNotification(after, _) => {
                self.notify(&order.order_no, &taken, after, 1);
                taken.report(&order.order_no)
            }
            Script::SucceedOnQuery(_) => Report::unclear(&order.order_no, "timed out"),
            Script::TripleNotification => {
                let _ = self.notifications.send(taken.report(&order.order_no));
                self.notify(&order.order_no, &taken, Duration::from_millis(200), 2);
                // The reply comes after the first notification.
                tokio::time::sleep(Duration::from_millis(50)).await;
                Report {
                    outcome: Outcome::Accepted,
                    finished_at: None,
                    ..taken.report(&order.order_no)
                }
            }
        }
    }

    async fn statement(&self, day: chrono::NaiveDate) -> Statement {
        let day = day.to_string();
        let taken = self
            .taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let mut lines: Vec<StatementLine> = taken
            .iter()
            .filter_map(|(order_no, order)| {
                let report = order.report(order_no);
                let finished_at = report.finished_at.filter(|at| at.starts_with(&day))?;
                let status = match report.outcome {
                    Outcome::Success { .. } => "SUCCESS",
                    Outcome::Fail { .. } => "FAIL",
                    _ => return None,
                };
                Some(StatementLine {
                    order_no: order_no.clone(),
                    channel_order_no: order.channel_order_no.clone(),
                    kind: if order.kind.sends_money() {
                        "payout"
                    } else {
                        "deduct"
                    }
                    .into(),
                    amount_fen: order.amount_fen,
                    status: status.into(),
                    finished_at,
                })
            })
            .collect();
        lines.sort_by(|a, b| a.order_no.cmp(&b.order_no));
        Statement::Ready(lines)
    }

    async fn query(&self, order_no: &str) -> Report {
        tokio::time::sleep(self.latency).await;
        match self.taken(order_no) {
            Some(order) => order.report(order_no),
            None => Report {
                outcome: Outcome::NotFound,
                ..Report::unclear(order_no, "no such order")
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::channel::CardSnapshot;

    fn order(no: &str, card: &str, kind: OrderKind) -> Instruction {
        Instruction {
            order_no: no.into(),
            kind,
            amount_fen: 50_700,
            card: CardSnapshot {
                card_no: card.into(),
                ..Default::default()
            },
        }
    }

    #[tokio::test]
    async fn it_remembers_orders_like_a_channel() {
        let (tx, mut notifications) = tokio::sync::mpsc::unbounded_channel();
        let clock = Clock::default();
        let sim = LocalChannel::new(Duration::ZERO, clock.clone(), tx);
        let declined = order("RO1", "6217000000000000", OrderKind::Repay);
        let first = sim.submit(&declined).await;
        assert_eq!(
            first.outcome,
            Outcome::Fail {
                code: "INSUFFICIENT_BALANCE".into(),
                final_decline: true
            }
        );
        assert_eq!(first.message.as_deref(), Some("余额不足"));
        assert_eq!(
            sim.submit(&declined).await,
            first,
            "a resubmission answers the same"
        );
        let paid = order("PO1", "6217000000000000", OrderKind::Payout);
        assert_eq!(
            sim.submit(&paid).await.outcome,
            Outcome::Success { amount_fen: 50_700 }
        );
        assert_eq!(
            sim.query("PO1").await.outcome,
            Outcome::Success { amount_fen: 50_700 }
        );
        assert_eq!(sim.query("PO9").await.outcome, Outcome::NotFound);
        // The lost reply: unclear now, the order taken all the same.
        let lost = order("RO2", "6217000000000002", OrderKind::Repay);
        assert_eq!(sim.submit(&lost).await.outcome, Outcome::Unclear);
        assert_eq!(sim.query("RO2").await.outcome, Outcome::Accepted);
        // Three notifications, the first before the reply.
        let triple = order("RO3", "6217000000000003", OrderKind::Repay);
        assert_eq!(sim.submit(&triple).await.outcome, Outcome::Accepted);
        assert_eq!(
            notifications.try_recv().unwrap().outcome,
            Outcome::Success { amount_fen: 50_700 }
        );
        for _ in 0..2 {
            let late = tokio::time::timeout(Duration::from_secs(2), notifications.recv()).await;
            assert_eq!(late.unwrap().unwrap().order_no, "RO3");
        }
        let Statement::Ready(lines) = sim.statement(clock.today()).await else {
            panic!("the simulator's statement is always ready")
        };
        let listed: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.order_no.as_str(), l.status.as_str()))
            .collect();
        assert_eq!(
            listed,
            [("PO1", "SUCCESS"), ("RO1", "FAIL"), ("RO3", "SUCCESS")],
            "finished orders only"
        );
    }

    const REPAY: OrderKind = OrderKind::Repay;
    const PAYOUT: OrderKind = OrderKind::Payout;

    #[test]
    fn the_test_cards_of_the_table() {
        assert_eq!(
            script("6217000000000000", REPAY),
            Script::DeclineAtOnce("余额不足")
        );
        assert_eq!(script("6217000000000000", PAYOUT), Script::SucceedAtOnce);
        for kind in [REPAY, PAYOUT] {
            assert_eq!(
                script("6217000000000001", kind),
                Script::SucceedByNotification(Duration::from_secs(5))
            );
            assert_eq!(
                script("6217000000000002", kind),
                Script::SucceedOnQuery(Duration::from_secs(5))
            );
            assert_eq!(script("6217000000000003", kind), Script::TripleNotification);
            assert_eq!(
                script("6217000000000004", kind),
                Script::DeclineByNotification(Duration::from_secs(2), "余额不足")
            );
        }
        assert_eq!(script("6217000000000009", REPAY), Script::SucceedAtOnce);
        assert_eq!(
            script("6217000000000009", PAYOUT),
            Script::DeclineAtOnce("账户状态异常")
        );
        assert_eq!(script("6217000000001234", REPAY), Script::SucceedAtOnce);
        assert_eq!(
            script("", REPAY),
            Script::SucceedAtOnce,
            "no card: nothing special, never a panic"
        );
    }
}
