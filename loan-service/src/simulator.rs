//! How the local payment-channel simulator answers (PAYMENTS.md "The local simulator"): the last
//! four digits of the card choose a behaviour, so every path of a real channel (an immediate
//! answer, a late notification, a lost reply, duplicates, a late decline) can be driven end to end.

use std::time::Duration;

use crate::payment_order::OrderKind;

/// One scripted behaviour of the simulator for an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Script {
    /// `SUCCESS` in the reply.
    SucceedAtOnce,
    /// `FAIL` in the reply, a final decline with this reason.
    DeclineAtOnce(&'static str),
    /// `ACCEPTED`, then one `SUCCESS` notification after the delay.
    SucceedByNotification(Duration),
    /// The submit times out (the outcome is unknown); a query after the delay says `SUCCESS`.
    SucceedOnQuery(Duration),
    /// `ACCEPTED`; the `SUCCESS` notification arrives three times, the first before the reply.
    TripleNotification,
    /// `ACCEPTED`, then a `FAIL` notification (a final decline with this reason) after the delay.
    DeclineByNotification(Duration, &'static str),
}

pub const INSUFFICIENT_BALANCE: &str = "余额不足";
pub const ACCOUNT_ABNORMAL: &str = "账户状态异常";

/// The behaviour for an order of `kind` to `card_no`.
pub fn script(card_no: &str, kind: OrderKind) -> Script {
    let suffix = card_no.get(card_no.len().saturating_sub(4)..).unwrap_or_default();
    match (suffix, kind) {
        ("0000", OrderKind::Repay) => Script::DeclineAtOnce(INSUFFICIENT_BALANCE),
        ("0001", _) => Script::SucceedByNotification(Duration::from_secs(5)),
        ("0002", _) => Script::SucceedOnQuery(Duration::from_secs(5)),
        ("0003", _) => Script::TripleNotification,
        ("0004", _) => Script::DeclineByNotification(Duration::from_secs(2), INSUFFICIENT_BALANCE),
        ("0009", OrderKind::Payout) => Script::DeclineAtOnce(ACCOUNT_ABNORMAL),
        _ => Script::SucceedAtOnce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPAY: OrderKind = OrderKind::Repay;
    const PAYOUT: OrderKind = OrderKind::Payout;

    #[test]
    fn the_test_cards_of_the_table() {
        assert_eq!(
            script("6217000000000000", REPAY),
            Script::DeclineAtOnce("余额不足")
        );
        assert_eq!(script("6217000000000000", PAYOUT), Script::SucceedAtOnce);
        for kind in [REPAY, PAYOUT] {
            assert_eq!(
                script("6217000000000001", kind),
                Script::SucceedByNotification(Duration::from_secs(5))
            );
            assert_eq!(
                script("6217000000000002", kind),
                Script::SucceedOnQuery(Duration::from_secs(5))
            );
            assert_eq!(script("6217000000000003", kind), Script::TripleNotification);
            assert_eq!(
                script("6217000000000004", kind),
                Script::DeclineByNotification(Duration::from_secs(2), "余额不足")
            );
        }
        assert_eq!(script("6217000000000009", REPAY), Script::SucceedAtOnce);
        assert_eq!(
            script("6217000000000009", PAYOUT),
            Script::DeclineAtOnce("账户状态异常")
        );
        assert_eq!(script("6217000000001234", REPAY), Script::SucceedAtOnce);
        assert_eq!(
            script("", REPAY),
            Script::SucceedAtOnce,
            "no card: nothing special, never a panic"
        );
    }
}
