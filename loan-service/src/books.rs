//! The books for operators (API.md §7): the trial balance and funding of the channel account.

use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::money::{format_amount, parse_amount};

use std::time::Duration;

use cashloan_runtime::Shutdown;
use tracing::Instrument;

use crate::error::LoanError;
use crate::ledger::{invariants, Entry, Invariant, ACCOUNTS};
use crate::store::{new_id, Store};
use crate::LoanCore;

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
        let as_of = match r.as_of.as_str() {
            "" => None,
            text => Some(
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| LoanError::InvalidField("asOf"))?
                    .to_string(),
            ),
        };
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
