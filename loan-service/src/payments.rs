//! Moving money through payment orders (PAYMENTS.md): an order is committed before the channel
//! is called, the channel is called with no transaction or pooled connection held, and every
//! answer — the reply, a notification, a query by the recovery job — goes through `settle`, which
//! applies `payment_order::settle` as one conditional update. However often and in whatever
//! order the answers come, an order settles once.

use std::sync::Arc;
use std::time::Duration;

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::loan::v1 as pb;
use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::money::format_amount;
use cashloan_runtime::pii::Vault;
use cashloan_runtime::Shutdown;
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::Instrument;

use crate::channel::{self, CardSnapshot, Instruction, PaymentChannel, Report};
use crate::error::LoanError;
use crate::lifecycle::{transition, Action, Status};
use crate::payment_order::{self, OrderKind, OrderStatus, Outcome, Settlement};
use crate::store::{ApplicationRow, Effects, OrderFilter, OrderRow, OutboxEvent, Settle, Store};
use crate::LoanCore;

/// Why an order is failed before it reaches the channel.
pub const CARD_INVALID: &str = "卡已失效";
pub const NOT_ELIGIBLE: &str = "暂不符合";

#[derive(clap::Args, Clone, Debug)]
pub struct PaymentArgs {
    /// How long a repayment or disbursement call waits for the channel's outcome, milliseconds.
    #[arg(long = "repay-wait-ms", env = "REPAY_WAIT_MS", default_value_t = 3000)]
    pub repay_wait_ms: u64,
    /// When an order without an outcome is first checked, milliseconds; the wait doubles from
    /// there up to 30 minutes.
    #[arg(
        long = "payment-recheck-ms",
        env = "PAYMENT_RECHECK_MS",
        default_value_t = 30_000
    )]
    pub recheck_ms: u64,
    /// How often the recovery job looks for orders to check, milliseconds.
    #[arg(
        id = "payment_job_interval_ms",
        long = "payment-job-interval-ms",
        env = "PAYMENT_JOB_INTERVAL_MS",
        default_value_t = 5000
    )]
    pub job_interval_ms: u64,
    /// How often the ledger's invariants are checked, milliseconds.
    #[arg(
        long = "ledger-check-interval-ms",
        env = "LEDGER_CHECK_INTERVAL_MS",
        default_value_t = 300_000
    )]
    pub ledger_check_interval_ms: u64,
    /// The local simulator's latency on every call, milliseconds.
    #[arg(long = "channel-latency-ms", env = "CHANNEL_LATENCY_MS", default_value_t = 0)]
    pub channel_latency_ms: u64,
    /// `local` (the in-process simulator) or `http` (the channel protocol of PAYMENTS.md).
    #[arg(long = "payment-channel", env = "PAYMENT_CHANNEL", default_value = "local")]
    pub channel: String,
    /// The HTTP channel's base URL.
    #[arg(long = "channel-url", env = "CHANNEL_URL", default_value = "")]
    pub channel_url: String,
    #[arg(long = "channel-merchant-no", env = "CHANNEL_MERCHANT_NO", default_value = "")]
    pub channel_merchant_no: String,
    /// PEM file of the merchant's private key (PKCS#8), which signs our requests.
    #[arg(long = "channel-merchant-key", env = "CHANNEL_MERCHANT_KEY")]
    pub channel_merchant_key: Option<std::path::PathBuf>,
    /// PEM file of the channel's public key, which checks replies and notifications.
    #[arg(long = "channel-public-key", env = "CHANNEL_PUBLIC_KEY")]
    pub channel_public_key: Option<std::path::PathBuf>,
    /// Where the channel posts its notifications: the gateway's public `/notify/payment`.
    #[arg(long = "channel-notify-url", env = "CHANNEL_NOTIFY_URL", default_value = "")]
    pub channel_notify_url: String,
    /// The channel's decline codes that are final; any other FAIL means "ask again".
    #[arg(
        long = "channel-final-declines",
        env = "CHANNEL_FINAL_DECLINES",
        value_delimiter = ',',
        default_value = FINAL_DECLINES
    )]
    pub channel_final_declines: Vec<String>,
    /// Deadline of one call to the HTTP channel, milliseconds.
    #[arg(
        long = "channel-timeout-ms",
        env = "CHANNEL_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub channel_timeout_ms: u64,
}

/// Declines after which no retry can succeed (余额不足, 卡已失效, 账户状态异常, …).
const FINAL_DECLINES: &str =
    "INSUFFICIENT_BALANCE,CARD_INVALID,CARD_EXPIRED,ACCOUNT_ABNORMAL,ACCOUNT_FROZEN,NAME_MISMATCH";

impl PaymentArgs {
    /// The channel these arguments name; the simulator's notifications go to `notifications`.
    pub fn channel(
        &self,
        clock: Clock,
        notifications: tokio::sync::mpsc::UnboundedSender<Report>,
    ) -> Result<Arc<dyn PaymentChannel>, String> {
        match self.channel.as_str() {
            "local" => Ok(Arc::new(crate::simulator::LocalChannel::new(
                Duration::from_millis(self.channel_latency_ms),
                clock,
                notifications,
            ))),
            "http" => {
                let pem = |path: &Option<std::path::PathBuf>, what: &str| {
                    let path = path
                        .as_ref()
                        .ok_or_else(|| format!("the HTTP channel needs {what}"))?;
                    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
                };
                if self.channel_url.is_empty() || self.channel_notify_url.is_empty() {
                    return Err("the HTTP channel needs --channel-url and --channel-notify-url".into());
                }
                let channel =
                    crate::channel_http::HttpChannel::new(crate::channel_http::HttpChannelConfig {
                        base_url: self.channel_url.clone(),
                        merchant_no: self.channel_merchant_no.clone(),
                        merchant_key_pem: pem(&self.channel_merchant_key, "--channel-merchant-key")?,
                        channel_key_pem: pem(&self.channel_public_key, "--channel-public-key")?,
                        notify_url: self.channel_notify_url.clone(),
                        final_declines: self.channel_final_declines.clone(),
                        timeout: Duration::from_millis(self.channel_timeout_ms),
                    })?;
                Ok(Arc::new(channel))
            }
            other => Err(format!("unknown payment channel {other:?} (local or http)")),
        }
    }
}

impl Default for PaymentArgs {
    fn default() -> Self {
        Self {
            repay_wait_ms: 3000,
            recheck_ms: 30_000,
            job_interval_ms: 5000,
            ledger_check_interval_ms: 300_000,
            channel_latency_ms: 0,
            channel: "local".into(),
            channel_url: String::new(),
            channel_merchant_no: String::new(),
            channel_merchant_key: None,
            channel_public_key: None,
            channel_notify_url: String::new(),
            channel_final_declines: FINAL_DECLINES.split(',').map(str::to_owned).collect(),
            channel_timeout_ms: 10_000,
        }
    }
}

/// The longest wait between two checks of one order.
const MAX_RECHECK_MS: i64 = 30 * 60 * 1000;
/// Without a final outcome after this, an order goes to an operator.
const MANUAL_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
/// An order the channel never received is submitted again while younger than this.
const RESUBMIT_WITHIN_MS: i64 = 60 * 60 * 1000;
/// The failure code of an order the channel never received (its held days are waived).
const NEVER_RECEIVED: &str = "NOT_FOUND";
/// Orders handled per recovery round; the next round goes on.
const BATCH: i64 = 50;

/// The wait before the check after `attempts` checks: the first wait, doubling, capped.
pub fn recheck_delay(first_ms: u64, attempts: i32) -> i64 {
    let first = first_ms.min(MAX_RECHECK_MS as u64) as i64;
    first
        .saturating_mul(1_i64 << attempts.clamp(0, 20))
        .min(MAX_RECHECK_MS)
}

#[derive(Clone)]
pub struct Payments {
    pub(crate) store: Store,
    pub(crate) channel: Arc<dyn PaymentChannel>,
    pub(crate) clock: Clock,
    pub(crate) vault: Arc<Vault>,
    args: PaymentArgs,
    /// Issues the plan at payout.
    pub(crate) issuer: Arc<crate::issuer::Issuer>,
}

impl Payments {
    pub fn new(
        store: Store,
        channel: Arc<dyn PaymentChannel>,
        clock: Clock,
        (vault, issuer): (Arc<Vault>, Arc<crate::issuer::Issuer>),
        args: PaymentArgs,
    ) -> Self {
        Self {
            store,
            channel,
            clock,
            vault,
            args,
            issuer,
        }
    }

    /// A new order of `kind` for `app` to or from `card`, amounts to be filled in.
    pub fn order_row(&self, kind: OrderKind, app: &ApplicationRow, card: &CardSnapshot) -> OrderRow {
        let now = self.clock.now_ms();
        OrderRow {
            order_no: String::new(),
            kind: kind.name().to_owned(),
            application_id: app.id.clone(),
            user_id: app.user_id.clone(),
            status: OrderStatus::Created.name().to_owned(),
            amount_fen: 0,
            principal_fen: 0,
            interest_fen: 0,
            fee_fen: 0,
            penalty_fen: 0,
            periods: String::new(),
            repay_kind: String::new(),
            card: self
                .vault
                .encrypt(&serde_json::to_string(card).unwrap_or_default()),
            release_date: None,
            channel_order_no: None,
            reason: None,
            customer_waiting: false,
            created_at: now,
            submitted_at: None,
            settled_at: None,
            finished_at: None,
            attempts: 0,
            // A process that stops before recording the reply leaves it to recovery after this;
            // never before a submit in flight could have timed out.
            next_check_at: now
                + recheck_delay(self.args.recheck_ms, 0).max(self.args.channel_timeout_ms as i64 + 1000),
            refund_of: None,
        }
    }

    /// Fails a committed order without calling the channel (the card is gone, the customer may
    /// not be paid).
    pub async fn refuse(&self, order_no: &str, why: &str) -> Result<OrderRow, LoanError> {
        let refusal = Report {
            outcome: Outcome::Fail {
                code: "REFUSED".into(),
                final_decline: true,
            },
            ..Report::unclear(order_no, why)
        };
        self.settle(&refusal).await?;
        self.store
            .order(order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))
    }

    fn instruction(&self, order: &OrderRow) -> Result<Instruction, LoanError> {
        let card = self
            .vault
            .decrypt(&order.card)
            .ok()
            .and_then(|plain| serde_json::from_str(&plain).ok())
            .ok_or(LoanError::Corrupt("order card"))?;
        Ok(Instruction {
            order_no: order.order_no.clone(),
            kind: order.kind()?,
            amount_fen: order.amount_fen,
            card,
        })
    }

    /// Submits a committed order and waits up to `REPAY_WAIT_MS` for its outcome (the reply, or a
    /// notification that beats it); returns the order as it then stands. The submit runs on its
    /// own task: a slow channel or a caller that gives up does not stop the reply being recorded.
    pub async fn submit_and_wait(&self, order_no: &str) -> Result<OrderRow, LoanError> {
        let order = self
            .store
            .order(order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))?;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(self.args.repay_wait_ms);
        let this = self.clone();
        let submitting = tokio::spawn(
            async move {
                if let Err(e) = this.submit(&order).await {
                    // The order is committed: whatever the channel did, recovery finds out.
                    tracing::warn!(order = %order.order_no, error = %e, "reply not recorded; recovery settles the order");
                }
            }
            .in_current_span(),
        );
        // The reply usually decides it; later outcomes are read from the order.
        let _ = tokio::time::timeout_at(deadline, submitting).await;
        loop {
            let order = self
                .store
                .order(order_no)
                .await?
                .ok_or(LoanError::Corrupt("order vanished"))?;
            if !order.status()?.is_open() {
                return Ok(order);
            }
            if tokio::time::Instant::now() >= deadline {
                // Told "processing": a later failure gets a notice. If it settled meanwhile, the
                // outcome is read instead.
                if self.store.mark_customer_waiting(order_no).await? {
                    return Ok(order);
                }
                continue;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends an order to the channel (again, under its own number, when recovering) and settles
    /// by the reply.
    async fn submit(&self, order: &OrderRow) -> Result<(), LoanError> {
        let instruction = self.instruction(order)?;
        let operation = match instruction.kind {
            OrderKind::Payout => "payment.payout",
            OrderKind::Repay => "payment.deduct",
            OrderKind::Refund => "payment.refund",
        };
        let reply = self
            .channel
            .submit(&instruction)
            .instrument(channel::span(operation, &order.order_no))
            .await;
        self.settle(&reply).await?;
        Ok(())
    }

    /// Settles an order by what the channel said; returns its status afterwards (None for an
    /// order we do not know).
    pub async fn settle(&self, report: &Report) -> Result<Option<OrderStatus>, LoanError> {
        // A few rounds: each lost race re-reads the order and decides again.
        for _ in 0..4 {
            let Some(order) = self.store.order(&report.order_no).await? else {
                // Stored for an operator; it never creates or settles an order.
                let day = report
                    .finished_at
                    .as_deref()
                    .and_then(|f| f.get(..10))
                    .map_or_else(|| self.clock.today().to_string(), str::to_owned);
                self.store
                    .raise_mismatch(
                        &report.order_no,
                        &day,
                        &channel_says(&report.outcome),
                        "no such order",
                        self.clock.now_ms(),
                    )
                    .await?;
                return Ok(None);
            };
            let from = order.status()?;
            let settlement = payment_order::settle(order.kind()?, from, order.amount_fen, &report.outcome);
            if settlement == Settlement::Keep {
                return Ok(Some(from));
            }
            let Some(effects) = self.effects(&order, &settlement).await? else {
                // The application moved on: another path settled the order meanwhile.
                tracing::debug!(order = %order.order_no, "settled meanwhile; reading it again");
                continue;
            };
            let applied = self
                .store
                .settle_order(Settle {
                    order_no: order.order_no.clone(),
                    from,
                    settlement: settlement.clone(),
                    channel_order_no: report.channel_order_no.clone(),
                    message: report.message.clone(),
                    finished_at: report.finished_at.clone(),
                    channel_says: channel_says(&report.outcome),
                    at: self.clock.now_ms(),
                    effects,
                    waive_held_days: matches!(&report.outcome, Outcome::Fail { code, .. } if code == NEVER_RECEIVED),
                    // Submitted or unclear: asked after the first wait from now.
                    next_check_at: Some(self.clock.now_ms() + recheck_delay(self.args.recheck_ms, 0)),
                })
                .await?;
            if applied {
                let to = match settlement {
                    Settlement::Move(to) => to,
                    Settlement::Mismatch | Settlement::LateSuccess => OrderStatus::Mismatch,
                    Settlement::Return => OrderStatus::Returned,
                    // Raised for an operator; the order stays as it was.
                    Settlement::Keep | Settlement::Contradiction => return Ok(Some(from)),
                };
                tracing::info!(order = %order.order_no, kind = %order.kind, %from, %to, "payment order settled");
                count_settled(&order.kind, to);
                return Ok(Some(to));
            }
        }
        let now = self.store.order(&report.order_no).await?;
        if let Some(order) = now
            .as_ref()
            .filter(|o| o.status().is_ok_and(super::payment_order::OrderStatus::is_open))
        {
            tracing::error!(order = %order.order_no, "an open order could not be settled: its application is not where the order expects it");
        }
        now.map(|o| o.status()).transpose()
    }

    /// What a settlement does besides moving the order; None when the application is no longer
    /// where the order left it (another path settled the order after it was read).
    pub(crate) async fn effects(
        &self,
        order: &OrderRow,
        settlement: &Settlement,
    ) -> Result<Option<Effects>, LoanError> {
        let kind = order.kind()?;
        let wanted = matches!(
            (kind, settlement),
            (_, Settlement::Move(OrderStatus::Succeeded))
                | (OrderKind::Repay, Settlement::Move(OrderStatus::Failed))
        );
        if !wanted {
            return Ok(Some(Effects::None));
        }
        let app = self
            .store
            .application(&order.application_id)
            .await?
            .ok_or(LoanError::Corrupt("order without its application"))?;
        let now = self.clock.now_ms();
        let event = |kind: LoanEventKind| OutboxEvent::about(kind, &app, order.amount_fen, now);
        let from = Status::from_code(app.status).ok_or(LoanError::Corrupt("application status"))?;
        Ok(match (kind, settlement) {
            (OrderKind::Repay, Settlement::Move(OrderStatus::Failed)) => {
                Some(Effects::FailureNotice(event(LoanEventKind::RepaymentFailed)))
            }
            (OrderKind::Repay, _) => transition(from, Action::PayOff).map(|pay_off| Effects::Repaid {
                pay_off,
                event: event(LoanEventKind::Repaid),
            }),
            (OrderKind::Payout, _) => match transition(from, Action::Disburse) {
                None => None,
                Some(step) => {
                    let release = match &order.release_date {
                        Some(date) => crate::stored::due_date(date)?,
                        None => self.clock.today(),
                    };
                    let periods = crate::applications::plan_rows(&app, release)?;
                    Some(Effects::PaidOut {
                        step,
                        release_date: release.to_string(),
                        plan_document: self.plan_document(&app, release, &periods).await?,
                        periods,
                        event: event(LoanEventKind::Disbursed),
                    })
                }
            },
            (OrderKind::Refund, _) => Some(Effects::Refunded),
        })
    }

    /// One round of the recovery job: orders without an outcome are submitted (never sent) or
    /// queried; an order the channel never received is sent again within the hour and failed
    /// after; after 24 hours an order goes to an operator. Returns how many it handled.
    pub async fn recover_once(&self) -> Result<usize, LoanError> {
        let now = self.clock.now_ms();
        let first = self.args.recheck_ms;
        let due = self
            .store
            .claim_due_orders(now, BATCH, move |attempts| recheck_delay(first, attempts))
            .await?;
        for order in &due {
            if let Err(e) = self.recover(order, now).await {
                tracing::warn!(order = %order.order_no, error = %e, "payment recovery failed; retried later");
            }
        }
        Ok(due.len())
    }

    async fn recover(&self, order: &OrderRow, now: i64) -> Result<(), LoanError> {
        let status = order.status()?;
        if now - order.created_at >= MANUAL_AFTER_MS {
            tracing::error!(order = %order.order_no, "no outcome after 24 hours: an operator must resolve it");
            self.store
                .settle_order(Settle {
                    order_no: order.order_no.clone(),
                    from: status,
                    settlement: Settlement::Move(OrderStatus::Manual),
                    channel_order_no: None,
                    message: None,
                    finished_at: None,
                    channel_says: String::new(),
                    at: now,
                    effects: Effects::None,
                    waive_held_days: false,
                    next_check_at: None,
                })
                .await?;
            return Ok(());
        }
        if status == OrderStatus::Created {
            return self.submit(order).await;
        }
        let report = self
            .channel
            .query(&order.order_no)
            .instrument(channel::span("payment.query", &order.order_no))
            .await;
        match report.outcome {
            Outcome::NotFound if now - order.created_at < RESUBMIT_WITHIN_MS => self.submit(order).await,
            Outcome::NotFound => {
                let never_received = Report {
                    outcome: Outcome::Fail {
                        code: NEVER_RECEIVED.into(),
                        final_decline: true,
                    },
                    message: Some("渠道无此订单".into()),
                    ..report
                };
                self.settle(&never_received).await.map(|_| ())
            }
            _ => self.settle(&report).await.map(|_| ()),
        }
    }

    /// The recovery job (and the daily reconciliation when it is due), every `job_interval_ms`
    /// until shutdown.
    pub async fn run_recovery(self, shutdown: Shutdown) {
        let interval = Duration::from_millis(self.args.job_interval_ms);
        shutdown
            .every(interval, || async {
                let span = cashloan_runtime::span!("payment recovery", otel.name = "job.payment_recovery");
                if let Err(e) = self.recover_once().instrument(span).await {
                    tracing::warn!(error = %e, "payment recovery round failed");
                }
                if let Err(e) = self.reconcile_due().await {
                    tracing::warn!(error = %e, "reconciliation failed; tried again next round");
                }
            })
            .await;
    }

    /// Settles the in-process simulator's notifications until shutdown.
    pub async fn run_notifications(self, mut notifications: UnboundedReceiver<Report>, shutdown: Shutdown) {
        let stop = shutdown.wait();
        tokio::pin!(stop);
        loop {
            let report = tokio::select! {
                _ = &mut stop => return,
                next = notifications.recv() => match next {
                    Some(report) => report,
                    None => return,
                },
            };
            let this = self.clone();
            // Each on its own task: a slow settlement does not hold the others.
            tokio::spawn(async move {
                let span = cashloan_runtime::span!("payment notification", otel.name = "payment.notification", order = %report.order_no);
                if let Err(e) = this.settle(&report).instrument(span).await {
                    // The simulator does not resend; the recovery job's query settles it.
                    tracing::warn!(order = %report.order_no, error = %e, "notification not settled");
                }
            });
        }
    }
}

pub(crate) fn order_proto(o: &OrderRow) -> pb::PaymentOrder {
    pb::PaymentOrder {
        order_no: o.order_no.clone(),
        kind: o.kind.clone(),
        application_id: o.application_id.clone(),
        periods: o.periods.clone(),
        amount: format_amount(o.amount_fen),
        status: o.status.clone(),
        channel_order_no: o.channel_order_no.clone().unwrap_or_default(),
        reason: o.reason.clone().unwrap_or_default(),
        created_at: o.created_at,
        settled_at: o.settled_at.unwrap_or_default(),
    }
}

impl LoanCore {
    /// A notification posted to `/notify/payment`: checked, then settled like any answer. It
    /// returns once the settlement (or, for an order we do not know, the mismatch) is committed.
    pub async fn notify(&self, body: &[u8]) -> Result<(), LoanError> {
        let report = self
            .payments
            .channel
            .read_notification(body)
            .map_err(|_| LoanError::NotificationRefused)?;
        self.payments.settle(&report).await?;
        Ok(())
    }

    pub async fn list_payments(&self, r: &pb::ListPaymentsRequest) -> Result<pb::PaymentPage, LoanError> {
        let known = |text: &str, valid: bool, field| match text {
            "" => Ok(None),
            _ if valid => Ok(Some(text.to_owned())),
            _ => Err(LoanError::InvalidField(field)),
        };
        let filter = OrderFilter {
            kind: known(&r.kind, OrderKind::parse(&r.kind).is_some(), "kind")?,
            status: known(&r.status, OrderStatus::parse(&r.status).is_some(), "status")?,
            mobile: known(&r.mobile, true, "mobile")?,
            application_id: known(&r.application_id, true, "applyId")?,
        };
        let (rows, total) = self
            .store
            .orders(filter, crate::applications::page(r.page.as_ref()))
            .await?;
        Ok(pb::PaymentPage {
            items: rows.iter().map(order_proto).collect(),
            total: total as u64,
        })
    }

    /// Asks the channel for an open order's outcome now and settles it; a settled order is shown
    /// as it is.
    pub async fn settle_payment(&self, order_no: &str) -> Result<pb::PaymentOrder, LoanError> {
        let order = self
            .store
            .order(order_no)
            .await?
            .ok_or(LoanError::InvalidField("orderNo"))?;
        if order.status()?.is_open() {
            self.payments.recover(&order, self.clock.now_ms()).await?;
        }
        let order = self
            .store
            .order(order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))?;
        Ok(order_proto(&order))
    }

    /// The customer's verified card as an order's snapshot.
    pub(crate) async fn card_snapshot(&self, user_id: &str) -> Result<CardSnapshot, LoanError> {
        let identity = self.verified_identity(user_id).await?;
        Ok(CardSnapshot {
            card_no: identity.bank_card_no,
            name: identity.real_name,
            id_card_no: identity.id_card_no,
            mobile: identity.bank_card_mobile,
            agreement_no: String::new(),
        })
    }

    /// Whether the customer is blacklisted now (no payout goes to them).
    pub(crate) async fn blacklisted(&self, user_id: &str) -> Result<bool, LoanError> {
        let summary = self
            .auth
            .clone()
            .get_verification_summary(UserRef {
                user_id: user_id.to_owned(),
            })
            .await
            .map_err(|s| LoanError::Downstream(s.message().to_owned()))?
            .into_inner();
        Ok(summary.blacklisted)
    }
}

/// What the channel said, as a mismatch record shows it.
fn channel_says(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Accepted => "ACCEPTED".into(),
        Outcome::Success { amount_fen } => format!("SUCCESS {}", format_amount(*amount_fen)),
        Outcome::Fail { code, .. } => format!("FAIL {code}"),
        Outcome::Unclear => "UNCLEAR".into(),
        Outcome::NotFound => "NOT_FOUND".into(),
        Outcome::Returned { amount_fen } => format!("RETURNED {}", format_amount(*amount_fen)),
    }
}

fn count_settled(kind: &str, to: OrderStatus) {
    cashloan_runtime::metrics::global().count(
        "cashloan_payment_orders_settled_total",
        "Payment order status changes by kind and new status.",
        &[("kind", kind), ("status", to.name())],
        1,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rechecks_back_off_from_the_first_wait_to_half_an_hour() {
        assert_eq!(recheck_delay(30_000, 0), 30_000);
        assert_eq!(recheck_delay(30_000, 1), 60_000);
        assert_eq!(recheck_delay(30_000, 5), 960_000);
        assert_eq!(recheck_delay(30_000, 6), MAX_RECHECK_MS);
        assert_eq!(recheck_delay(30_000, 1000), MAX_RECHECK_MS);
        assert_eq!(recheck_delay(u64::MAX, 3), MAX_RECHECK_MS, "no overflow");
    }
}
