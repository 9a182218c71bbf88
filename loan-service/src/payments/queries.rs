//! What operators and the gateway ask of payments: notifications, order lists, a settlement on
//! demand, the customer's card and blacklisting.

use cashloan_proto::auth::v1::UserRef;
use cashloan_proto::loan::v1 as pb;
use cashloan_runtime::clock::{date_cst, format_datetime_cst, now_ms};

use crate::error::LoanError;
use crate::payments::channel::CardSnapshot;
use crate::payments::order::{OrderKind, OrderStatus};
use crate::payments::order_proto;
use crate::store::OrderFilter;
use crate::LoanCore;

impl LoanCore {
    /// A notification posted to `/notify/payment`: checked, then settled like any answer. It
    /// returns once the settlement (or, for an order we do not know, the mismatch) is committed.
    pub async fn notify(&self, body: &[u8]) -> Result<(), LoanError> {
        let (report, sent_at) = self
            .payments
            .channel
            .read_notification(body)
            .map_err(|_| LoanError::NotificationRefused)?;
        // The wall clock, as for the app's signatures: freshness is the transport's, not the
        // business date's.
        let window_ms = self.payments.args.notify_window_secs.saturating_mul(1000);
        if now_ms().abs_diff(sent_at) > window_ms {
            let channel_says = format!("通知时间 {}（超出时效，已拒收）", format_datetime_cst(sent_at));
            let at = self.clock.now_ms();
            self.store
                .raise_mismatch(&report.order_no, &date_cst(at), &channel_says, "未处理", at)
                .await?;
            return Err(LoanError::NotificationRefused);
        }
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
            of_mobile: self.applications_of_mobile(&r.mobile).await?,
            application_id: known(&r.application_id, true, "applyId")?,
        };
        let (rows, total) = self
            .store
            .orders(filter, crate::paging::page(r.page.as_ref()))
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
