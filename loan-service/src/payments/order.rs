//! Payment orders (PAYMENTS.md "Payment orders"): the statuses, what an outcome from the channel
//! does to an order in each of them, and order numbers. Plain rules: the store applies a
//! `Settlement` as one conditional update on the status it was decided from, so of two paths
//! settling at once (a reply and a notification) only one changes anything.

use std::fmt;

/// What an order moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKind {
    Payout,
    Repay,
    Refund,
}

impl OrderKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Payout => "payout",
            Self::Repay => "repay",
            Self::Refund => "refund",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Payout, Self::Repay, Self::Refund]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// Whether the order sends money to the customer's card (a payout or a refund) rather than
    /// takes it.
    pub fn sends_money(self) -> bool {
        matches!(self, Self::Payout | Self::Refund)
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Payout => "PO",
            Self::Repay => "RO",
            Self::Refund => "FO",
        }
    }
}

/// `PO20261130000001`: the kind's prefix, the day (UTC+8) and the day's sequence number. It is
/// the channel's idempotency key, so it never changes once the order is written.
pub fn order_no(kind: OrderKind, day: chrono::NaiveDate, seq: i64) -> String {
    format!("{}{}{:06}", kind.prefix(), day.format("%Y%m%d"), seq)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Written; the channel may not have heard of it.
    Created,
    /// The channel accepted it; the outcome comes later.
    Submitted,
    /// The channel's answer was lost or unclear: the money may have moved; ask.
    Unknown,
    Succeeded,
    Failed,
    /// A payout the bank sent back after success (退票).
    Returned,
    /// The channel's amount differs from ours: an operator resolves it.
    Mismatch,
    /// No outcome after 24 hours: an operator resolves it.
    Manual,
}

pub const STATUSES: [OrderStatus; 8] = [
    OrderStatus::Created,
    OrderStatus::Submitted,
    OrderStatus::Unknown,
    OrderStatus::Succeeded,
    OrderStatus::Failed,
    OrderStatus::Returned,
    OrderStatus::Mismatch,
    OrderStatus::Manual,
];

/// The statuses an outcome still settles.
pub const OPEN: [OrderStatus; 3] = [OrderStatus::Created, OrderStatus::Submitted, OrderStatus::Unknown];

impl OrderStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Submitted => "submitted",
            Self::Unknown => "unknown",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Returned => "returned",
            Self::Mismatch => "mismatch",
            Self::Manual => "manual",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        STATUSES.into_iter().find(|s| s.name() == name)
    }

    /// Waiting for the channel: an outcome settles it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Created | Self::Submitted | Self::Unknown)
    }

    /// Whether the order still holds its periods (or its application): open, or waiting for an
    /// operator.
    pub fn holds_reservation(self) -> bool {
        self.is_open() || matches!(self, Self::Mismatch | Self::Manual)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the channel said, from any path: the reply to a submit, a notification, a query, a
/// statement line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Taken in, no result yet (a reply `ACCEPTED`, a query `PROCESSING`).
    Accepted,
    Success {
        amount_fen: i64,
    },
    /// A decline; `final_decline` when its code is in the configured list of final declines.
    Fail {
        code: String,
        final_decline: bool,
    },
    /// No answer, an unclear answer, a reply whose signature does not verify, a 5xx, a timeout.
    Unclear,
    /// A query: the channel never received the order.
    NotFound,
    /// A payout sent back after success.
    Returned {
        amount_fen: i64,
    },
}

/// What to do with an order in `from` on an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Nothing changes (a duplicate, or an answer that moves nothing).
    Keep,
    /// The order moves to this status; on `Succeeded` the money is booked and the periods paid
    /// (the plan made), on `Failed` the reservation is freed.
    Move(OrderStatus),
    /// The amounts differ: nothing is settled, an operator looks.
    Mismatch,
    /// The channel changed its mind after a final failure: the money moved anyway. It is
    /// booked to overpayments (repay) or disputed payouts (payout) and raised for an operator.
    LateSuccess,
    /// A payout returned after success: Dr 1012 / Cr 1122, the plan frozen, an operator told.
    Return,
    /// A final answer that disagrees with how the order settled (a decline after success, another
    /// amount): recorded for an operator, nothing changes.
    Contradiction,
}

/// The one settling rule for every path (PAYMENTS.md): an outcome may arrive in any open status,
/// a later `ACCEPTED` never moves an order back, only a final decline fails an order, and an
/// outcome with another amount settles nothing.
pub fn settle(kind: OrderKind, from: OrderStatus, amount_fen: i64, outcome: &Outcome) -> Settlement {
    use OrderStatus::*;
    match (from, outcome) {
        (Created | Submitted | Unknown, Outcome::Success { amount_fen: paid }) if *paid != amount_fen => {
            Settlement::Mismatch
        }
        (Created | Submitted | Unknown, Outcome::Success { .. }) => Settlement::Move(Succeeded),
        (
            Created | Submitted | Unknown,
            Outcome::Fail {
                final_decline: true, ..
            },
        ) => Settlement::Move(Failed),
        // Anything else that is not a final answer means the money may have moved: ask.
        (
            Created | Submitted,
            Outcome::Fail {
                final_decline: false, ..
            }
            | Outcome::Unclear,
        ) => Settlement::Move(Unknown),
        (Created, Outcome::Accepted) => Settlement::Move(Submitted),
        (Failed, Outcome::Success { .. }) => Settlement::LateSuccess,
        (Succeeded, Outcome::Returned { amount_fen: back })
            if kind == OrderKind::Payout && *back == amount_fen =>
        {
            Settlement::Return
        }
        (Succeeded, Outcome::Success { amount_fen: paid }) if *paid == amount_fen => Settlement::Keep,
        (Returned, Outcome::Returned { amount_fen: back }) if *back == amount_fen => Settlement::Keep,
        (
            Succeeded | Returned,
            Outcome::Success { .. }
            | Outcome::Returned { .. }
            | Outcome::Fail {
                final_decline: true, ..
            },
        )
        | (Failed, Outcome::Returned { .. }) => Settlement::Contradiction,
        _ => Settlement::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const AMOUNT: i64 = 50_700;

    fn outcomes() -> Vec<Outcome> {
        vec![
            Outcome::Accepted,
            Outcome::Success { amount_fen: AMOUNT },
            Outcome::Success {
                amount_fen: AMOUNT + 1,
            },
            Outcome::Fail {
                code: "INSUFFICIENT_BALANCE".into(),
                final_decline: true,
            },
            Outcome::Fail {
                code: "SYSTEM_BUSY".into(),
                final_decline: false,
            },
            Outcome::Unclear,
            Outcome::NotFound,
            Outcome::Returned { amount_fen: AMOUNT },
        ]
    }

    #[test]
    fn order_numbers_name_kind_and_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(order_no(OrderKind::Payout, day, 1), "PO20261130000001");
        assert_eq!(order_no(OrderKind::Repay, day, 42), "RO20261130000042");
        assert_eq!(order_no(OrderKind::Refund, day, 7), "FO20261130000007");
    }

    #[test]
    fn names_round_trip() {
        for s in STATUSES {
            assert_eq!(OrderStatus::parse(s.name()), Some(s));
        }
        for k in [OrderKind::Payout, OrderKind::Repay, OrderKind::Refund] {
            assert_eq!(OrderKind::parse(k.name()), Some(k));
        }
    }

    #[test]
    fn an_outcome_settles_any_open_order_even_before_the_reply() {
        for from in OPEN {
            let success = settle(
                OrderKind::Repay,
                from,
                AMOUNT,
                &Outcome::Success { amount_fen: AMOUNT },
            );
            assert_eq!(success, Settlement::Move(OrderStatus::Succeeded), "{from}");
            let decline = Outcome::Fail {
                code: "INSUFFICIENT_BALANCE".into(),
                final_decline: true,
            };
            assert_eq!(
                settle(OrderKind::Repay, from, AMOUNT, &decline),
                Settlement::Move(OrderStatus::Failed)
            );
        }
    }

    #[test]
    fn only_a_final_decline_fails_an_order() {
        let busy = Outcome::Fail {
            code: "SYSTEM_BUSY".into(),
            final_decline: false,
        };
        for outcome in [busy, Outcome::Unclear] {
            assert_eq!(
                settle(OrderKind::Payout, OrderStatus::Submitted, AMOUNT, &outcome),
                Settlement::Move(OrderStatus::Unknown)
            );
            assert_eq!(
                settle(OrderKind::Payout, OrderStatus::Unknown, AMOUNT, &outcome),
                Settlement::Keep
            );
        }
    }

    #[test]
    fn a_late_accepted_never_moves_an_order_back() {
        for from in STATUSES.into_iter().filter(|s| *s != OrderStatus::Created) {
            assert_eq!(
                settle(OrderKind::Repay, from, AMOUNT, &Outcome::Accepted),
                Settlement::Keep,
                "{from}"
            );
        }
    }

    #[test]
    fn another_amount_settles_nothing() {
        for from in OPEN {
            let other = Outcome::Success {
                amount_fen: AMOUNT + 1,
            };
            assert_eq!(
                settle(OrderKind::Repay, from, AMOUNT, &other),
                Settlement::Mismatch
            );
        }
    }

    #[test]
    fn settled_orders_are_settled_once_and_changes_of_mind_are_raised() {
        for outcome in outcomes() {
            for from in [
                OrderStatus::Succeeded,
                OrderStatus::Returned,
                OrderStatus::Mismatch,
                OrderStatus::Manual,
            ] {
                let s = settle(OrderKind::Repay, from, AMOUNT, &outcome);
                assert!(
                    matches!(s, Settlement::Keep | Settlement::Contradiction),
                    "{from} on {outcome:?}: {s:?}"
                );
            }
        }
        let late = Outcome::Success { amount_fen: AMOUNT };
        assert_eq!(
            settle(OrderKind::Repay, OrderStatus::Failed, AMOUNT, &late),
            Settlement::LateSuccess
        );
        assert_eq!(
            settle(OrderKind::Payout, OrderStatus::Failed, AMOUNT, &late),
            Settlement::LateSuccess
        );
        let back = Outcome::Returned { amount_fen: AMOUNT };
        assert_eq!(
            settle(OrderKind::Payout, OrderStatus::Succeeded, AMOUNT, &back),
            Settlement::Return
        );
        assert_eq!(
            settle(OrderKind::Repay, OrderStatus::Succeeded, AMOUNT, &back),
            Settlement::Contradiction
        );
        let decline = Outcome::Fail {
            code: "INSUFFICIENT_BALANCE".into(),
            final_decline: true,
        };
        assert_eq!(
            settle(OrderKind::Repay, OrderStatus::Succeeded, AMOUNT, &decline),
            Settlement::Contradiction,
            "a decline after success is raised, never applied"
        );
        assert_eq!(
            settle(OrderKind::Repay, OrderStatus::Succeeded, AMOUNT, &late),
            Settlement::Keep,
            "the same success again is a duplicate"
        );
    }

    #[test]
    fn every_move_leaves_an_open_status_or_lands_in_one_the_rules_allow() {
        for kind in [OrderKind::Payout, OrderKind::Repay] {
            for from in STATUSES {
                for outcome in outcomes() {
                    if let Settlement::Move(to) = settle(kind, from, AMOUNT, &outcome) {
                        assert!(from.is_open(), "{from} moved to {to}");
                        assert_ne!(from, to, "a move changes the status");
                        assert!(to != OrderStatus::Created, "nothing moves back to created");
                    }
                }
            }
        }
    }

    #[test]
    fn reservations_are_held_until_final_or_resolved() {
        let holding: Vec<OrderStatus> = STATUSES.into_iter().filter(|s| s.holds_reservation()).collect();
        use OrderStatus::*;
        assert_eq!(holding, [Created, Submitted, Unknown, Mismatch, Manual]);
    }
}
