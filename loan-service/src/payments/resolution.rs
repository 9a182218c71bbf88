//! What an operator may do with an order the channel left unclear (API.md §7
//! `/admin/payments/resolve`, PAYMENTS.md): an order without an outcome after a day (`manual`) or
//! with another amount (`mismatch`) is settled as succeeded or failed on the operator's evidence;
//! money a failed repay order took anyway (2241 overpayments) is applied to the periods it was for
//! or refunded; a payout made after it was reported failed (1221 disputed payouts) either stands —
//! the loan starts — or came back. Which case an order is in is read from its status and the
//! entries that name it, so a resolution is never applied twice.

use crate::ledger::EntryKind;
use crate::payments::order::{OrderKind, OrderStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Succeeded,
    Failed,
    Apply,
    Refund,
}

impl Resolution {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "apply" => Self::Apply,
            "refund" => Self::Refund,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Apply => "apply",
            Self::Refund => "refund",
        }
    }
}

/// An order waiting for an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// No outcome the books know of (`manual`, or `mismatch` on another amount): nothing booked,
    /// the reservation held.
    Unsettled,
    /// A failed repay order the channel took the money for after all: booked to 2241.
    Overpaid,
    /// A failed payout the channel made after all: booked to 1221, further payouts held.
    DisputedPayout,
}

/// What a resolution does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Settle the order as if the channel had said so: the ordinary success or failure.
    Settle(OrderStatus),
    /// Pay the periods the order was for, as it charged them, out of 2241.
    ApplyOverpayment,
    /// Send the money back to the card it came from: a refund order.
    Refund,
    /// The payout stands: the loan starts, Dr 1122 / Cr 1221.
    PayoutStands,
    /// The payout came back: Dr 1012 / Cr 1221.
    PayoutRecovered,
}

/// The entries that close a case: once one names the order, nothing is left to resolve.
const CLOSING: [EntryKind; 3] = [
    EntryKind::OverpaymentApplied,
    EntryKind::DisputedPayoutSettled,
    EntryKind::DisputedPayoutRecovered,
];

/// Which case the order is in, from its status and the kinds of the entries naming it; None when
/// it waits for no one.
pub fn case(status: OrderStatus, entries: &[EntryKind]) -> Option<Case> {
    if entries.iter().any(|e| CLOSING.contains(e)) {
        return None;
    }
    match status {
        OrderStatus::Manual => Some(Case::Unsettled),
        OrderStatus::Mismatch if entries.contains(&EntryKind::Overpayment) => Some(Case::Overpaid),
        OrderStatus::Mismatch if entries.contains(&EntryKind::DisputedPayout) => Some(Case::DisputedPayout),
        OrderStatus::Mismatch => Some(Case::Unsettled),
        _ => None,
    }
}

/// What `resolution` does to an order of `kind` in `case`; None when it does not fit (an
/// overpayment neither succeeded nor failed: the money is there; nothing to refund of a payout).
pub fn step(case: Case, kind: OrderKind, resolution: Resolution) -> Option<Step> {
    use Resolution::*;
    Some(match (case, resolution) {
        (Case::Unsettled, Succeeded) => Step::Settle(OrderStatus::Succeeded),
        (Case::Unsettled, Failed) => Step::Settle(OrderStatus::Failed),
        (Case::Overpaid, Apply) if kind == OrderKind::Repay => Step::ApplyOverpayment,
        (Case::Overpaid, Refund) if kind == OrderKind::Repay => Step::Refund,
        (Case::DisputedPayout, Succeeded) if kind == OrderKind::Payout => Step::PayoutStands,
        (Case::DisputedPayout, Failed) if kind == OrderKind::Payout => Step::PayoutRecovered,
        _ => return None,
    })
}

/// Whether a resolution was confirmed by someone other than who asked for it: carried out only
/// then (the gateway's approvals ensure it; this holds for any other caller of the service too).
pub fn confirmed_by_another(maker: &str, checker: &str) -> bool {
    !maker.trim().is_empty()
        && !checker.trim().is_empty()
        && !maker.trim().eq_ignore_ascii_case(checker.trim())
}

/// The words a checker reads for a step.
pub fn describe(step: Step) -> &'static str {
    match step {
        Step::Settle(OrderStatus::Succeeded) => "按成功入账",
        Step::Settle(_) => "按失败处理，释放占用",
        Step::ApplyOverpayment => "多收款项冲抵原还款期次",
        Step::Refund => "多收款项原路退回",
        Step::PayoutStands => "争议放款成立，借款开始计息",
        Step::PayoutRecovered => "争议放款已退回渠道账户",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryKind::*;

    const ALL: [Resolution; 4] = [
        Resolution::Succeeded,
        Resolution::Failed,
        Resolution::Apply,
        Resolution::Refund,
    ];

    #[test]
    fn two_different_operators_are_needed() {
        assert!(confirmed_by_another("li.finance", "wang.finance"));
        assert!(!confirmed_by_another("li.finance", "li.finance"));
        assert!(!confirmed_by_another("li.finance", "LI.Finance "));
        assert!(!confirmed_by_another("li.finance", ""));
        assert!(!confirmed_by_another("", "wang.finance"));
    }

    #[test]
    fn names_round_trip() {
        for r in ALL {
            assert_eq!(Resolution::parse(r.name()), Some(r));
        }
        assert_eq!(Resolution::parse("SUCCEEDED"), None);
    }

    #[test]
    fn only_manual_and_mismatch_orders_wait_for_an_operator() {
        use OrderStatus::*;
        for status in [Created, Submitted, Unknown, Succeeded, Failed, Returned] {
            assert_eq!(case(status, &[]), None, "{status}");
        }
        assert_eq!(case(Manual, &[]), Some(Case::Unsettled));
        assert_eq!(case(Mismatch, &[]), Some(Case::Unsettled));
        assert_eq!(case(Mismatch, &[Overpayment]), Some(Case::Overpaid));
        assert_eq!(case(Mismatch, &[DisputedPayout]), Some(Case::DisputedPayout));
    }

    #[test]
    fn a_closing_entry_ends_the_case_even_if_the_order_is_raised_again() {
        assert_eq!(
            case(OrderStatus::Mismatch, &[DisputedPayout, DisputedPayoutRecovered]),
            None
        );
        assert_eq!(
            case(OrderStatus::Mismatch, &[Overpayment, OverpaymentApplied]),
            None
        );
    }

    #[test]
    fn each_case_takes_only_its_own_resolutions() {
        let allowed = |case: Case, kind: OrderKind| -> Vec<Resolution> {
            ALL.into_iter()
                .filter(|r| step(case, kind, *r).is_some())
                .collect()
        };
        use Resolution::*;
        for kind in [OrderKind::Repay, OrderKind::Payout, OrderKind::Refund] {
            assert_eq!(allowed(Case::Unsettled, kind), [Succeeded, Failed]);
        }
        assert_eq!(allowed(Case::Overpaid, OrderKind::Repay), [Apply, Refund]);
        assert_eq!(
            allowed(Case::DisputedPayout, OrderKind::Payout),
            [Succeeded, Failed]
        );
        assert!(allowed(Case::Overpaid, OrderKind::Payout).is_empty());
        assert!(allowed(Case::DisputedPayout, OrderKind::Repay).is_empty());
    }
}
