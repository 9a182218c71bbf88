//! `/admin/payments/resolve` (API.md §7): the operators' answer to an order the channel left
//! unclear, carried out once a second operator confirmed it (the gateway asks with `dry_run`
//! first, so nobody is asked to confirm what cannot be done). `crate::payments::resolution` decides what a
//! resolution does; this reads what it needs and applies it.

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::money::format_amount;

use crate::error::LoanError;
use crate::loan::lifecycle::{transition, Action, Status};
use crate::payments::channel::CardSnapshot;
use crate::payments::order::{OrderKind, OrderStatus, Settlement};
use crate::payments::order_proto;
use crate::payments::resolution::{self, Case, Resolution, Step};
use crate::store::{NewOrder, OrderRow, OutboxEvent, Resolve, Resolved, Settle};
use crate::LoanCore;

/// The longest evidence kept with a resolution.
const EVIDENCE_MAX_CHARS: usize = 500;

impl LoanCore {
    pub async fn resolve_payment(
        &self,
        r: &pb::ResolvePaymentRequest,
    ) -> Result<pb::ResolvePaymentReply, LoanError> {
        let resolution = Resolution::parse(&r.resolution).ok_or(LoanError::InvalidField("resolution"))?;
        let evidence = r.evidence.trim();
        if evidence.is_empty() || evidence.chars().count() > EVIDENCE_MAX_CHARS {
            return Err(LoanError::InvalidField("evidence"));
        }
        let (order, case) = self
            .read_case(&r.order_no)
            .await?
            .ok_or(LoanError::InvalidField("orderNo"))?;
        let status = order.status()?;
        let case = case.ok_or(LoanError::NotAwaitingResolution)?;
        let step =
            resolution::step(case, order.kind()?, resolution).ok_or(LoanError::ResolutionNotAllowed)?;
        let summary = format!(
            "付款单 {}（{} {} 元，{}）：{}",
            order.order_no,
            order.kind,
            format_amount(order.amount_fen),
            status,
            resolution::describe(step)
        );
        if r.dry_run {
            return Ok(pb::ResolvePaymentReply {
                summary,
                order: Some(order_proto(&order)),
            });
        }
        if !resolution::confirmed_by_another(&r.maker, &r.checker) {
            return Err(LoanError::CheckerIsMaker);
        }
        let note = format!(
            "{}：{}（{} 发起，{} 复核）",
            resolution.name(),
            evidence,
            r.maker,
            r.checker
        );
        let now = self.clock.now_ms();
        let shown = match self.carry_out(&order, status, step, note, now).await {
            // Resolved by someone else since it was read: say so, not why this one cannot be.
            Err(LoanError::ResolutionNotAllowed)
                if !matches!(self.read_case(&order.order_no).await?, Some((_, Some(_)))) =>
            {
                return Err(LoanError::NotAwaitingResolution)
            }
            other => other?,
        };
        tracing::info!(order = %order.order_no, resolution = resolution.name(), maker = %r.maker, checker = %r.checker, "payment order resolved");
        Ok(pb::ResolvePaymentReply {
            summary,
            order: Some(order_proto(&shown)),
        })
    }

    async fn carry_out(
        &self,
        order: &OrderRow,
        status: OrderStatus,
        step: Step,
        note: String,
        now: i64,
    ) -> Result<OrderRow, LoanError> {
        if step == Step::Refund {
            return self.refund(order, note).await;
        }
        let apply = self.resolution_of(order, status, step, now).await?;
        match self.store.resolve(&order.order_no, apply, note, now).await? {
            Resolved::Done => {}
            Resolved::NotWaiting => return Err(LoanError::NotAwaitingResolution),
            Resolved::PeriodsTaken => return Err(LoanError::ResolutionNotAllowed),
        }
        self.store
            .order(&order.order_no)
            .await?
            .ok_or(LoanError::Corrupt("order vanished"))
    }

    /// The order as it stands now and the case it waits in (None when it waits for no one).
    async fn read_case(&self, order_no: &str) -> Result<Option<(OrderRow, Option<Case>)>, LoanError> {
        let Some(order) = self.store.order(order_no).await? else {
            return Ok(None);
        };
        let entries = self.store.entry_kinds(order_no).await?;
        let case = resolution::case(order.status()?, &entries);
        Ok(Some((order, case)))
    }

    /// What a step other than a refund applies, prepared with what it needs from elsewhere.
    async fn resolution_of(
        &self,
        order: &OrderRow,
        from: OrderStatus,
        step: Step,
        now: i64,
    ) -> Result<Resolve, LoanError> {
        if let Step::Settle(to) = step {
            let settlement = Settlement::Move(to);
            let effects = self
                .payments
                .effects(order, &settlement)
                .await?
                .ok_or(LoanError::ResolutionNotAllowed)?;
            return Ok(Resolve::Settle(Settle {
                order_no: order.order_no.clone(),
                from,
                settlement,
                channel_order_no: None,
                message: None,
                finished_at: None,
                channel_says: "operator".into(),
                at: now,
                effects,
                // Held by an order that then failed without a final decline (PAYMENTS.md).
                waive_held_days: to == OrderStatus::Failed,
                next_check_at: None,
            }));
        }
        let app = self
            .store
            .application(&order.application_id)
            .await?
            .ok_or(LoanError::Corrupt("order without its application"))?;
        let status = Status::from_code(app.status).ok_or(LoanError::Corrupt("application status"))?;
        let event = |kind| OutboxEvent::about(kind, &app, order.amount_fen, now);
        Ok(match step {
            Step::ApplyOverpayment => {
                if app.frozen {
                    return Err(LoanError::ResolutionNotAllowed);
                }
                Resolve::Apply {
                    pay_off: transition(status, Action::PayOff).ok_or(LoanError::ResolutionNotAllowed)?,
                    event: event(LoanEventKind::Repaid),
                }
            }
            Step::PayoutStands => {
                let step = transition(status, Action::Disburse).ok_or(LoanError::ResolutionNotAllowed)?;
                // The plan starts on the operator's release date, else the day the money left.
                let release = match (&order.release_date, &order.finished_at) {
                    (Some(date), _) => crate::loan::stored::due_date(date)?,
                    (None, Some(finished)) => {
                        crate::loan::stored::due_date(finished.get(..10).unwrap_or_default())?
                    }
                    (None, None) => self.clock.today(),
                };
                let periods = crate::loan::plan::plan_rows(&app, release)?;
                Resolve::PayoutStands {
                    step,
                    release_date: release.to_string(),
                    plan_document: self.payments.plan_document(&app, release, &periods).await?,
                    periods,
                    event: event(LoanEventKind::Disbursed),
                }
            }
            Step::PayoutRecovered => Resolve::PayoutRecovered,
            Step::Settle(_) | Step::Refund => return Err(LoanError::Corrupt("resolution step")),
        })
    }

    /// Sends an overpayment back to the card it came from; the repay order is closed when the
    /// refund succeeds (a declined refund leaves it waiting, to be refunded again).
    async fn refund(&self, order: &OrderRow, note: String) -> Result<OrderRow, LoanError> {
        let app = self
            .store
            .application(&order.application_id)
            .await?
            .ok_or(LoanError::Corrupt("order without its application"))?;
        let row = OrderRow {
            amount_fen: order.amount_fen,
            card: order.card.clone(),
            refund_of: Some(order.order_no.clone()),
            ..self
                .payments
                .order_row(OrderKind::Refund, &app, &CardSnapshot::default())
        };
        let refund = NewOrder {
            row,
            kind: OrderKind::Refund,
            day: self.clock.today(),
            lines: Vec::new(),
            // One refund at a time per overpayment.
            reserve: vec![format!("refund:{}", order.order_no)],
            application_in: None,
            // Still waiting when the refund is written: an overpayment applied meanwhile is not
            // also refunded.
            order_in: Some((order.order_no.clone(), OrderStatus::Mismatch)),
        };
        let refund_no = match self
            .store
            .create_order(refund, LoanError::NotAwaitingResolution)
            .await
        {
            Err(LoanError::IllegalTransition) => return Err(LoanError::NotAwaitingResolution),
            other => other?,
        };
        self.store
            .note_resolution(&order.order_no, format!("{note} {refund_no}"))
            .await?;
        self.payments.submit_and_wait(&refund_no).await
    }
}
