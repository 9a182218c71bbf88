//! Daily reconciliation (PAYMENTS.md "Reconciliation"): the channel's statement of day D
//! against our orders, both ways. An open order the statement shows finished is settled from it;
//! every other difference is a mismatch for an operator, never corrected silently. This module is
//! the statement's format and the comparison; `payments` runs it.

use std::collections::HashSet;

use cashloan_runtime::money::format_amount;
use chrono::{Duration, NaiveDate, Timelike};
use tracing::Instrument;

use crate::error::LoanError;
use crate::payments::channel::statement::{Statement, StatementLine};
use crate::payments::channel::Report;
use crate::payments::order::{self, OrderKind, OrderStatus, Outcome, Settlement};
use crate::payments::Payments;

/// The statement's line as an answer about its order: a statement only lists finished orders, so
/// a `FAIL` in it is final.
pub fn report(line: &StatementLine) -> Report {
    let outcome = match (line.kind.as_str(), line.status.as_str()) {
        ("return", _) => Outcome::Returned {
            amount_fen: line.amount_fen,
        },
        (_, "SUCCESS") => Outcome::Success {
            amount_fen: line.amount_fen,
        },
        _ => Outcome::Fail {
            code: "STATEMENT".into(),
            final_decline: true,
        },
    };
    Report {
        order_no: line.order_no.clone(),
        outcome,
        channel_order_no: Some(line.channel_order_no.clone()).filter(|s| !s.is_empty()),
        message: None,
        finished_at: Some(line.finished_at.clone()),
    }
}

/// Whether our order, as it now stands, says what the line says.
pub fn agrees(kind: OrderKind, status: OrderStatus, amount_fen: i64, line: &StatementLine) -> bool {
    let kind_fits = match line.kind.as_str() {
        "payout" => kind.sends_money(),
        "return" => kind == OrderKind::Payout,
        _ => !kind.sends_money(),
    };
    let status_fits = match (line.kind.as_str(), line.status.as_str()) {
        ("return", _) => status == OrderStatus::Returned,
        (_, "SUCCESS") => matches!(status, OrderStatus::Succeeded | OrderStatus::Returned),
        _ => status == OrderStatus::Failed,
    };
    kind_fits && status_fits && amount_fen == line.amount_fen
}

/// What a run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub matched: i32,
    pub mismatched: i32,
}

/// Reconciliation starts on D+1 from this hour, UTC+8.
const FROM_HOUR_CST: u32 = 10;

impl Payments {
    /// Reconciles `day` against the channel's statement; None while the statement is not ready.
    pub async fn reconcile(&self, day: NaiveDate) -> Result<Option<Tally>, LoanError> {
        let lines = match self.channel.statement(day).await {
            Statement::Ready(lines) => lines,
            Statement::NotReady => return Ok(None),
            Statement::Unavailable(why) => return Err(LoanError::Downstream(why)),
        };
        let day_text = day.to_string();
        let now = || self.clock.now_ms();
        let mut tally = Tally::default();
        let mut listed = HashSet::new();
        for line in &lines {
            listed.insert(line.order_no.clone());
            let says = format!(
                "statement {} {} {}",
                line.kind,
                line.status,
                format_amount(line.amount_fen)
            );
            let Some(order) = self.store.order(&line.order_no).await? else {
                self.store
                    .raise_mismatch(&line.order_no, &day_text, &says, "no such order", now())
                    .await?;
                tally.mismatched += 1;
                continue;
            };
            let (kind, status) = (order.kind()?, order.status()?);
            let ours = |o: &crate::store::OrderRow| format!("{} {}", o.status, format_amount(o.amount_fen));
            let answer = report(line);
            match order::settle(kind, status, order.amount_fen, &answer.outcome) {
                Settlement::Keep if agrees(kind, status, order.amount_fen, line) => tally.matched += 1,
                // An open order the statement shows finished is settled from it.
                Settlement::Move(_) => {
                    self.settle(&answer).await?;
                    let order = self
                        .store
                        .order(&line.order_no)
                        .await?
                        .ok_or(LoanError::Corrupt("order vanished"))?;
                    if agrees(kind, order.status()?, order.amount_fen, line) {
                        tally.matched += 1;
                    } else {
                        self.store
                            .raise_mismatch(&order.order_no, &day_text, &says, &ours(&order), now())
                            .await?;
                        tally.mismatched += 1;
                    }
                }
                // Money that moved against our books is booked by the settle rules, which raise
                // it for an operator.
                Settlement::Mismatch | Settlement::LateSuccess | Settlement::Return => {
                    self.settle(&answer).await?;
                    tally.mismatched += 1;
                }
                Settlement::Keep | Settlement::Contradiction => {
                    self.store
                        .raise_mismatch(&order.order_no, &day_text, &says, &ours(&order), now())
                        .await?;
                    tally.mismatched += 1;
                }
            }
        }
        for order in self.store.orders_finished_on(&day_text).await? {
            if !listed.contains(&order.order_no) {
                let ours = format!("{} {}", order.status, format_amount(order.amount_fen));
                self.store
                    .raise_mismatch(&order.order_no, &day_text, "statement: no line", &ours, now())
                    .await?;
                tally.mismatched += 1;
            }
        }
        self.store
            .record_reconciliation(&day_text, tally.matched, tally.mismatched, now())
            .await?;
        tracing::info!(day = %day_text, matched = tally.matched, mismatched = tally.mismatched, "reconciled");
        Ok(Some(tally))
    }

    /// Yesterday's reconciliation, once it is due (from 10:00 UTC+8) and not done yet.
    pub async fn reconcile_due(&self) -> Result<(), LoanError> {
        let hour = chrono::DateTime::from_timestamp_millis(self.clock.now_ms())
            .map_or(0, |t| t.with_timezone(&cashloan_runtime::clock::cst()).hour());
        let yesterday = self.clock.today() - Duration::days(1);
        if hour < FROM_HOUR_CST || self.store.reconciled(&yesterday.to_string()).await? {
            return Ok(());
        }
        let span = cashloan_runtime::span!("reconciliation", otel.name = "job.reconciliation");
        if self.reconcile(yesterday).instrument(span).await?.is_none() {
            tracing::info!(day = %yesterday, "statement not ready; asked again later");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::channel::statement::parse_csv;

    const CSV: &str = "orderNo,channelOrderNo,kind,amount,status,finishedAt\n\
        RO20261201000001,C1,deduct,50700,SUCCESS,2026-12-01 10:00:00\n\
        \n\
        PO20261201000001,C2,payout,50000,FAIL,2026-12-01 11:00:00\n";

    #[test]
    fn reads_the_lines_and_refuses_what_it_cannot_read() {
        let lines = parse_csv(CSV).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount_fen, 50_700);
        assert_eq!(lines[1].status, "FAIL");
        assert!(parse_csv("RO1,C1,deduct,-5,SUCCESS,x").is_err());
        assert!(parse_csv("RO1,C1,deduct,5,MAYBE,x").is_err());
        assert!(parse_csv("RO1,C1,deduct,5").is_err());
    }

    #[test]
    fn a_line_agrees_only_with_the_same_kind_status_and_amount() {
        let lines = parse_csv(CSV).unwrap();
        let (paid, declined) = (&lines[0], &lines[1]);
        assert!(agrees(OrderKind::Repay, OrderStatus::Succeeded, 50_700, paid));
        assert!(!agrees(OrderKind::Repay, OrderStatus::Succeeded, 50_701, paid));
        assert!(!agrees(OrderKind::Repay, OrderStatus::Failed, 50_700, paid));
        assert!(!agrees(OrderKind::Payout, OrderStatus::Succeeded, 50_700, paid));
        assert!(agrees(OrderKind::Payout, OrderStatus::Failed, 50_000, declined));
        assert_eq!(
            report(declined).outcome,
            Outcome::Fail {
                code: "STATEMENT".into(),
                final_decline: true
            }
        );
    }
}
