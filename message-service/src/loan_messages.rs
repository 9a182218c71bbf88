//! The customer messages loan events become (API.md §6.5, types 11–17), in Chinese, with the
//! product, amount and dates.

use cashloan_proto::message::v1::{LoanEvent, LoanEventKind};

use crate::sms::Sms;

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
