//! Property test of PAYMENTS.md over the real store: random sequences of payouts, repayments,
//! declines, unclear answers, duplicate, late and contradicting notifications, payouts sent back
//! (before or after the loan was repaid), applied through
//! the one settle path, keep every invariant of the ledger, and no period is ever paid twice.

use std::sync::Arc;

use cashloan_runtime::clock::Clock;
use cashloan_runtime::pii::Vault;
use proptest::prelude::*;

use crate::ledger::invariants;
use crate::loan::charges::Charge;
use crate::payments::channel::{Instruction, PaymentChannel, Report};
use crate::payments::order::{OrderKind, OrderStatus, Outcome};
use crate::payments::{PaymentArgs, Payments};
use crate::store::{payout_resource, NewApplication, NewOrder, OrderRow, OutboxEvent, Store};

/// Never called: the test speaks for the channel.
struct Silent;

#[tonic::async_trait]
impl PaymentChannel for Silent {
    async fn submit(&self, order: &Instruction) -> Report {
        Report::unclear(&order.order_no, "silent")
    }
    async fn query(&self, order_no: &str) -> Report {
        Report::unclear(order_no, "silent")
    }
    async fn statement(&self, _day: chrono::NaiveDate) -> crate::payments::channel::statement::Statement {
        crate::payments::channel::statement::Statement::NotReady
    }
}

/// What the channel says next.
#[derive(Clone, Copy, Debug)]
enum Says {
    Accepted,
    Success,
    OtherAmount,
    FinalDecline,
    Busy,
    Unclear,
    /// 退票: the payout comes back, perhaps after the loan was repaid.
    Returned,
}

#[derive(Clone, Debug)]
enum Step {
    /// Start a payout of loan `n` (if it may start) and answer it so.
    Payout(usize, Vec<Says>),
    /// Start a repayment of loan `n`'s next period (if it may start) and answer it so.
    Repay(usize, Vec<Says>),
    /// A late answer to the `n`th order started so far (any status).
    Late(usize, Says),
}

fn says() -> impl Strategy<Value = Says> {
    prop_oneof![
        1 => Just(Says::Accepted),
        3 => Just(Says::Success),
        1 => Just(Says::OtherAmount),
        2 => Just(Says::FinalDecline),
        1 => Just(Says::Busy),
        1 => Just(Says::Unclear),
        1 => Just(Says::Returned),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let answers = || proptest::collection::vec(says(), 0..4);
    prop_oneof![
        1 => (0..3usize, answers()).prop_map(|(n, a)| Step::Payout(n, a)),
        2 => (0..3usize, answers()).prop_map(|(n, a)| Step::Repay(n, a)),
        1 => (0..40usize, says()).prop_map(|(n, s)| Step::Late(n, s)),
    ]
}

fn report(order: &OrderRow, says: Says) -> Report {
    let outcome = match says {
        Says::Accepted => Outcome::Accepted,
        Says::Success => Outcome::Success {
            amount_fen: order.amount_fen,
        },
        Says::OtherAmount => Outcome::Success {
            amount_fen: order.amount_fen + 1,
        },
        Says::FinalDecline => Outcome::Fail {
            code: "INSUFFICIENT_BALANCE".into(),
            final_decline: true,
        },
        Says::Busy => Outcome::Fail {
            code: "SYSTEM_BUSY".into(),
            final_decline: false,
        },
        Says::Unclear => Outcome::Unclear,
        Says::Returned => Outcome::Returned {
            amount_fen: order.amount_fen,
        },
    };
    Report {
        outcome,
        ..Report::unclear(&order.order_no, "")
    }
}

fn application(id: &str, now: i64) -> NewApplication {
    NewApplication {
        id: id.to_owned(),
        code: String::new(),
        user_id: format!("user-{id}"),
        mobile: "13800138000".into(),
        product_id: "p".into(),
        product_name: "新现金贷".into(),
        amount_fen: 300_000,
        rate_ppm: 240_000,
        penalty_rate_ppm: 360_000,
        fee_rate_ppm: 0,
        // Three months, paid monthly: three periods to repay one by one.
        term_count: 3,
        term_unit: 2,
        repay_term_count: 1,
        repay_term_unit: 2,
        repay_type: 3,
        purpose: "21".into(),
        other_channels: "01".into(),
        longitude: String::new(),
        latitude: String::new(),
        order_id: id.to_owned(),
        remark: String::new(),
        phonebook: String::new(),
        status: 2,
        applied_at: now,
        updated_at: now,
        open_slot: Some(format!("user-{id}")),
    }
}

/// The PostgreSQL database of this test when `TEST_POSTGRES` names a server: made afresh once per
/// run and shared by the cases (their loans are their own; the invariants hold over all).
fn postgres_url() -> Option<String> {
    static URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        let server = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty())?;
        let name = "settlement_property";
        let _ = cashloan_runtime::db::drop_postgres_database(&server, name);
        cashloan_runtime::db::ensure_postgres_database(&server, name).unwrap();
        Some(cashloan_runtime::db::postgres_database_url(&server, name))
    })
    .clone()
}

async fn run(steps: Vec<Step>) {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.path().join("loan.db").display())];
    urls.extend(postgres_url());
    for url in urls {
        run_on(&url, steps.clone()).await;
    }
}

async fn run_on(url: &str, steps: Vec<Step>) {
    let pool = crate::connect_database(url).unwrap();
    let store = Store::new(pool);
    let clock = Clock::default();
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let vault = Arc::new(Vault::new(&[format!("k1:{key}")], key).unwrap());
    let payments = Payments::new(
        store.clone(),
        Arc::new(Silent),
        clock.clone(),
        (
            vault.clone(),
            Arc::new(crate::contracts::issuer::Issuer {
                lender: Default::default(),
                signer: Box::new(crate::contracts::signer::LocalSigner::from_vault(&vault)),
            }),
        ),
        PaymentArgs::default(),
    );
    let now = clock.now_ms();
    let mut loans = Vec::new();
    let case = uuid::Uuid::new_v4().simple().to_string();
    for n in 0..3 {
        let id = format!("app{n}-{case}");
        let event = OutboxEvent::new(Default::default(), "u", "m", "p", "c", "0".into(), now);
        store
            .insert_application(
                application(&id, now),
                (
                    clock.today().format("%Y%m%d").to_string(),
                    "hash-of-the-mobile".into(),
                ),
                (event, crate::store::DecisionTask::new(&id, 0)),
                std::sync::Arc::new(|_: &str| Ok(Vec::new())),
                Default::default(),
            )
            .await
            .unwrap();
        loans.push(id);
    }
    let mut started: Vec<String> = Vec::new();
    for step in steps {
        let (answers, order) = match step {
            Step::Late(n, says) => match started.get(n) {
                Some(no) => (vec![says], Some(no.clone())),
                None => continue,
            },
            Step::Payout(n, answers) => {
                let app = store.application(&loans[n]).await.unwrap().unwrap();
                let row = OrderRow {
                    amount_fen: app.amount_fen,
                    principal_fen: app.amount_fen,
                    ..payments.order_row(OrderKind::Payout, &app, &Default::default())
                };
                let order = NewOrder {
                    row,
                    kind: OrderKind::Payout,
                    day: clock.today(),
                    lines: Vec::new(),
                    reserve: vec![payout_resource(&app.id)],
                    application_in: Some((app.id.clone(), 2)),
                    order_in: None,
                };
                // Refused while another payout holds the loan; a paid-out loan is not paid again.
                let made = if app.status == 2 {
                    store
                        .create_order(order, crate::error::LoanError::PayoutInProgress)
                        .await
                        .ok()
                } else {
                    None
                };
                (answers, made)
            }
            Step::Repay(n, answers) => {
                let app = store.application(&loans[n]).await.unwrap().unwrap();
                // As the repayment flow refuses: a frozen plan (its payout came back) takes none.
                if app.frozen {
                    continue;
                }
                let periods = store.periods_of(&app.id).await.unwrap();
                let Some(next) = periods.iter().find(|p| p.status == crate::loan::stored::UNPAID) else {
                    continue;
                };
                let charge = Charge {
                    principal_fen: next.principal_fen,
                    interest_fen: next.interest_fen,
                    fee_fen: next.fee_fen,
                    penalty_fen: 0,
                };
                let row = OrderRow {
                    amount_fen: charge.total(),
                    principal_fen: charge.principal_fen,
                    interest_fen: charge.interest_fen,
                    fee_fen: charge.fee_fen,
                    repay_kind: "current".into(),
                    ..payments.order_row(OrderKind::Repay, &app, &Default::default())
                };
                let order = NewOrder {
                    row,
                    kind: OrderKind::Repay,
                    day: clock.today(),
                    lines: vec![(next.id.clone(), charge)],
                    reserve: vec![next.id.clone()],
                    application_in: None,
                    order_in: None,
                };
                (
                    answers,
                    store
                        .create_order(order, crate::error::LoanError::RepayInProgress)
                        .await
                        .ok(),
                )
            }
        };
        let Some(order_no) = order else { continue };
        if !started.contains(&order_no) {
            started.push(order_no.clone());
        }
        // The answers race each other, as a reply, notifications and a query do.
        let order = store.order(&order_no).await.unwrap().unwrap();
        let racing: Vec<_> = answers
            .into_iter()
            .map(|says| {
                let (payments, report) = (payments.clone(), report(&order, says));
                tokio::spawn(async move { payments.settle(&report).await })
            })
            .collect();
        for settled in racing {
            settled
                .await
                .unwrap()
                .expect("every answer settles or is kept, never an error");
        }
    }

    let facts = store.book_facts().await.unwrap();
    if std::env::var("SETTLEMENT_STATS").is_ok() {
        let repaid = facts
            .trial_balance
            .balance(crate::ledger::Account::InterestIncome);
        eprintln!(
            "orders {} interest booked {repaid} receivable {}",
            started.len(),
            facts.outstanding_principal_fen
        );
    }
    for invariant in invariants(&facts) {
        assert!(invariant.holds, "{}: {}", invariant.name, invariant.detail);
    }
    // Settled once: a loan is paid out at most once, and a paid period belongs to the succeeded
    // order that paid it.
    for app in &loans {
        let payouts = store
            .orders(
                crate::store::OrderFilter {
                    kind: Some("payout".into()),
                    status: Some("succeeded".into()),
                    of_mobile: None,
                    application_id: None,
                },
                (0, 100),
            )
            .await
            .unwrap()
            .0
            .into_iter()
            .filter(|o| o.application_id == *app)
            .count();
        assert!(payouts <= 1, "{app} paid out {payouts} times");
        for period in store.periods_of(app).await.unwrap() {
            if let Some(by) = &period.repayment_id {
                let order = store.order(by).await.unwrap().unwrap();
                assert_eq!(
                    order.status().unwrap(),
                    OrderStatus::Succeeded,
                    "paid by a succeeded order"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]
    #[test]
    fn random_answers_keep_the_books_exact(steps in proptest::collection::vec(step(), 1..80)) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(steps));
    }
}

/// A payout sent back after its loan was repaid is an operator's case, never a second credit
/// to 1122 (the books would owe the customer less than nothing).
#[test]
fn a_payout_returned_after_repayment_keeps_the_books_exact() {
    let repaid = vec![
        Step::Payout(0, vec![Says::Success]),
        Step::Repay(0, vec![Says::Success]),
        Step::Repay(0, vec![Says::Success]),
        Step::Repay(0, vec![Says::Success]),
        Step::Late(0, Says::Returned),
    ];
    // Databases of its own: the property's invariants are over a whole database.
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.path().join("loan.db").display())];
    if let Some(server) = std::env::var("TEST_POSTGRES").ok().filter(|v| !v.is_empty()) {
        let name = "settlement_returned";
        let _ = cashloan_runtime::db::drop_postgres_database(&server, name);
        cashloan_runtime::db::ensure_postgres_database(&server, name).unwrap();
        urls.push(cashloan_runtime::db::postgres_database_url(&server, name));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for url in urls {
        runtime.block_on(run_on(&url, repaid.clone()));
    }
}
