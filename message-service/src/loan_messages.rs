//! The customer messages loan events become (API.md §6.5, types 11–17), in Chinese, with the
//! product, amount and dates.

use cashloan_proto::message::v1::{LoanEvent, LoanEventKind};
use tracing::Instrument;

use crate::error::MessageError;
use crate::sms::Sms;
use crate::store::MessageRow;
use crate::MessageCore;

/// `(messageType, title, content)` of an event; None for an unknown kind.
pub fn compose(e: &LoanEvent) -> Option<(&'static str, &'static str, String)> {
    let (product, code, amount, date) = (&e.product_name, &e.application_code, &e.amount, &e.date);
    let kind = LoanEventKind::try_from(e.kind).ok()?;
    Some(match kind {
        LoanEventKind::Submitted => (
            "11",
            "借款申请已提交",
            format!("您申请的{product}借款{amount}元(编号{code})已提交,我们将尽快为您审核。"),
        ),
        LoanEventKind::Approved => (
            "12",
            "借款审核通过",
            format!("您的{product}借款申请(编号{code})已审核通过,审批金额{amount}元,我们将尽快为您放款。"),
        ),
        LoanEventKind::Rejected => (
            "13",
            "借款审核未通过",
            format!("很抱歉,您的{product}借款申请(编号{code})未通过审核,感谢您的关注。"),
        ),
        LoanEventKind::Disbursed => (
            "14",
            "借款已放款",
            format!("您的{product}借款{amount}元(编号{code})已放款至您认证的银行卡,请注意查收。"),
        ),
        LoanEventKind::RepaymentDue => (
            "15",
            "还款提醒",
            format!("您的{product}借款(编号{code})将于{date}到期,应还{amount}元,请按时还款。"),
        ),
        LoanEventKind::Repaid => (
            "16",
            "还款成功",
            format!("您已成功还款{amount}元({product},编号{code}),感谢您的支持。"),
        ),
        LoanEventKind::Overdue => (
            "17",
            "逾期提醒",
            format!(
                "您的{product}借款(编号{code})已于{date}到期未还,应还{amount}元,请尽快还款以免影响您的信用。"
            ),
        ),
        LoanEventKind::RepaymentFailed => (
            "99",
            "还款未成功",
            format!("您的{product}借款(编号{code})还款{amount}元扣款未成功,该期仍待还款,请确认银行卡余额后重新还款。"),
        ),
        LoanEventKind::Unspecified => return None,
    })
}

/// The SMS of an event's message: the same text, and template parameters for vendors that send
/// registered templates (`loanNo` rather than `code`, which names verification codes).
pub fn sms(e: &LoanEvent, message_type: &'static str, content: &str) -> Sms {
    Sms {
        template: message_type,
        params: vec![
            ("product", e.product_name.clone()),
            ("loanNo", e.application_code.clone()),
            ("amount", e.amount.clone()),
            ("date", e.date.clone()),
        ],
        text: format!("【现金贷】{content}"),
    }
}

impl MessageCore {
    /// Stores the message of a loan event once per event id and sends its SMS with the first
    /// delivery; false when the event had been delivered before.
    pub async fn deliver_loan_event(&self, event: LoanEvent) -> Result<bool, MessageError> {
        if event.event_id.is_empty() || event.user_id.is_empty() {
            return Err(MessageError::InvalidField("event_id"));
        }
        let (message_type, title, content) = compose(&event).ok_or(MessageError::InvalidField("kind"))?;
        let text = sms(&event, message_type, &content);
        let sent_at = if event.occurred_at > 0 {
            event.occurred_at
        } else {
            self.clock.now_ms()
        };
        let created = self
            .store
            .insert_customer_message(
                &event.event_id,
                &event.user_id,
                (message_type, title, content),
                sent_at,
            )
            .await?;
        // It is sent apart from the call: a caller that gives up must not cancel it, since a
        // redelivery sends no second one.
        if created && !event.mobile.is_empty() {
            let provider = self.sms.clone();
            tokio::spawn(
                async move {
                    if let Err(e) = crate::sms::deliver(provider.as_ref(), &event.mobile, &text).await {
                        tracing::warn!(error = %e, event = %event.event_id, "loan event SMS not delivered");
                    }
                }
                .in_current_span(),
            );
        }
        Ok(created)
    }

    /// A page of a user's messages, newest first, and the total.
    pub async fn customer_messages(
        &self,
        user_id: &str,
        page: (i64, i64),
    ) -> Result<(Vec<MessageRow>, i64), MessageError> {
        self.store.customer_messages(user_id, page.0, page.1).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_type_and_text() {
        let mut e = LoanEvent {
            product_name: "新现金贷".into(),
            application_code: "CL20261128000001".into(),
            amount: "500.00".into(),
            date: "2026-12-12".into(),
            ..Default::default()
        };
        for (kind, code) in [
            (LoanEventKind::Submitted, "11"),
            (LoanEventKind::Approved, "12"),
            (LoanEventKind::Rejected, "13"),
            (LoanEventKind::Disbursed, "14"),
            (LoanEventKind::RepaymentDue, "15"),
            (LoanEventKind::Repaid, "16"),
            (LoanEventKind::Overdue, "17"),
        ] {
            e.kind = kind.into();
            let (t, title, content) = compose(&e).unwrap();
            assert_eq!(t, code);
            assert!(!title.is_empty());
            assert!(content.contains("CL20261128000001"), "{content}");
            let sms = sms(&e, t, &content);
            assert!(crate::sms::TEMPLATE_KEYS.contains(&sms.template));
            assert!(sms.text.ends_with(&content));
        }
        e.kind = LoanEventKind::Unspecified.into();
        assert!(compose(&e).is_none());
    }
}
