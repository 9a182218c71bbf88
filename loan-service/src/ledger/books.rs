//! The books for operators (API.md §7): the trial balance and its invariants, funding of the
//! channel account, reconciliation and its mismatches.

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::money::{format_amount, parse_amount};

use std::time::Duration;

use cashloan_runtime::Shutdown;
use tracing::Instrument;

use crate::error::LoanError;
use crate::ledger::{invariants, Entry, Invariant, ACCOUNTS};
use crate::store::{new_id, Store};
use crate::LoanCore;

/// A `yyyy-MM-dd` field that may be empty, as ISO text.
fn optional_date(text: &str, field: &'static str) -> Result<Option<String>, LoanError> {
    match text {
        "" => Ok(None),
        text => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| Some(d.to_string()))
            .map_err(|_| LoanError::InvalidField(field)),
    }
}

/// The ledger's invariants now; a broken one is logged as an error for finance.
pub async fn check(store: &Store) -> Result<Vec<Invariant>, LoanError> {
    let checked = invariants(&store.book_facts().await?);
    for broken in checked.iter().filter(|i| !i.holds) {
        tracing::error!(invariant = broken.name, detail = %broken.detail, "ledger invariant broken");
        cashloan_runtime::metrics::global().count(
            "cashloan_ledger_invariant_violations_total",
            "Ledger invariant checks that failed, by invariant.",
            &[("invariant", broken.name)],
            1,
        );
    }
    Ok(checked)
}

/// Checks the invariants every `interval` until shutdown.
pub async fn run_checks(store: Store, interval: Duration, shutdown: Shutdown) {
    shutdown
        .every(interval, || async {
            let span = cashloan_runtime::span!("ledger check", otel.name = "job.ledger_check");
            if let Err(e) = check(&store).instrument(span).await {
                tracing::warn!(error = %e, "ledger check failed");
            }
        })
        .await;
}

impl LoanCore {
    pub async fn trial_balance(
        &self,
        r: &pb::TrialBalanceRequest,
    ) -> Result<pb::TrialBalanceReply, LoanError> {
        let as_of = optional_date(&r.as_of, "asOf")?;
        let tb = self.store.trial_balance(as_of).await?;
        let accounts = ACCOUNTS
            .into_iter()
            .map(|a| {
                let totals = tb.0.get(&a).copied().unwrap_or_default();
                pb::LedgerAccount {
                    code: a.code(),
                    name: a.name().to_owned(),
                    debit: format_amount(totals.debit_fen),
                    credit: format_amount(totals.credit_fen),
                    balance: format_amount(tb.balance(a)),
                }
            })
            .collect();
        Ok(pb::TrialBalanceReply {
            accounts,
            total_debit: format_amount(tb.total_debits()),
            total_credit: format_amount(tb.total_credits()),
            invariants: check(&self.store)
                .await?
                .into_iter()
                .map(|i| pb::LedgerInvariant {
                    name: i.name.to_owned(),
                    holds: i.holds,
                    detail: i.detail,
                })
                .collect(),
        })
    }

    /// Reconciles a day on demand (API.md §7 `/admin/reconciliation/run`).
    pub async fn reconcile(&self, date: &str) -> Result<pb::ReconcileReply, LoanError> {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= self.clock.today())
            .ok_or(LoanError::InvalidField("date"))?;
        Ok(match self.payments.reconcile(day).await? {
            Some(tally) => pb::ReconcileReply {
                ready: true,
                matched: tally.matched as u32,
                mismatched: tally.mismatched as u32,
            },
            None => pb::ReconcileReply::default(),
        })
    }

    pub async fn mismatches(&self, r: &pb::ListMismatchesRequest) -> Result<pb::MismatchPage, LoanError> {
        let day = optional_date(&r.date, "date")?;
        let (rows, total) = self
            .store
            .mismatches(day, crate::paging::page(r.page.as_ref()))
            .await?;
        Ok(pb::MismatchPage {
            items: rows
                .into_iter()
                .map(|m| pb::Mismatch {
                    order_no: m.order_no,
                    day: m.day,
                    channel_says: m.channel_says,
                    ledger_says: m.ledger_says,
                    resolution: m.resolution.unwrap_or_default(),
                    created_at: m.created_at,
                })
                .collect(),
            total: total as u64,
        })
    }

    pub async fn fund_channel(&self, r: &pb::FundChannelRequest) -> Result<(), LoanError> {
        let amount = parse_amount(&r.amount)
            .filter(|a| *a > 0)
            .ok_or(LoanError::InvalidField("amount"))?;
        if r.remark.chars().count() > 200 {
            return Err(LoanError::InvalidField("remark"));
        }
        let now = self.clock.now_ms();
        let entry = Entry::funding(&format!("fund:{}", new_id()), amount);
        let memo = if r.remark.is_empty() {
            "注资".to_owned()
        } else {
            r.remark.clone()
        };
        self.store
            .post_entry(entry, memo, now, self.clock.today().to_string())
            .await
    }
}
