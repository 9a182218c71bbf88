//! Application statuses and the one function that says which moves are legal (API.md §6.4):
//! 0 待审核 → 1 审核中 → 2 审核成功 → 4 已放款 → 5 已还完, and 0/1 → 3 审核拒绝.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending = 0,
    Reviewing = 1,
    Approved = 2,
    Rejected = 3,
    Disbursed = 4,
    PaidOff = 5,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    StartReview,
    Approve,
    Reject,
    Disburse,
    PayOff,
    /// The borrower asks a person to review an automatic rejection (DECISIONS.md, #42).
    Reopen,
}

impl Status {
    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            0 => Self::Pending,
            1 => Self::Reviewing,
            2 => Self::Approved,
            3 => Self::Rejected,
            4 => Self::Disbursed,
            5 => Self::PaidOff,
            _ => return None,
        })
    }

    pub fn code(self) -> i32 {
        self as i32
    }

    /// A stable name, for metrics and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Reviewing => "reviewing",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Disbursed => "disbursed",
            Self::PaidOff => "paid_off",
        }
    }

    /// Open applications block a new one (API.md §6.4: statuses 0, 1, 2, 4).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Pending | Self::Reviewing | Self::Approved | Self::Disbursed
        )
    }
}

/// A legal move. Only `transition` makes one, and the store applies nothing else, so every
/// status change passes the one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    from: Status,
    to: Status,
}

impl Move {
    pub fn from(self) -> Status {
        self.from
    }

    pub fn to(self) -> Status {
        self.to
    }
}

/// Where `action` takes an application in `from`, or None when the move is illegal.
pub fn transition(from: Status, action: Action) -> Option<Move> {
    use Action::*;
    use Status::*;
    let to = match (from, action) {
        (Pending, StartReview) => Reviewing,
        (Pending | Reviewing, Approve) => Approved,
        (Pending | Reviewing, Reject) => Rejected,
        (Approved, Disburse) => Disbursed,
        (Disbursed, PayOff) => PaidOff,
        // The only move back (个人信息保护法 §24): once, checked by the caller.
        (Rejected, Reopen) => Reviewing,
        _ => return None,
    };
    Some(Move { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Status; 6] = [
        Status::Pending,
        Status::Reviewing,
        Status::Approved,
        Status::Rejected,
        Status::Disbursed,
        Status::PaidOff,
    ];
    const ACTIONS: [Action; 6] = [
        Action::StartReview,
        Action::Approve,
        Action::Reject,
        Action::Disburse,
        Action::PayOff,
        Action::Reopen,
    ];

    #[test]
    fn only_the_documented_moves_are_legal() {
        let legal: Vec<(Status, Action)> = ALL
            .iter()
            .flat_map(|s| ACTIONS.iter().map(move |a| (*s, *a)))
            .filter(|(s, a)| transition(*s, *a).is_some())
            .collect();
        assert_eq!(
            legal,
            vec![
                (Status::Pending, Action::StartReview),
                (Status::Pending, Action::Approve),
                (Status::Pending, Action::Reject),
                (Status::Reviewing, Action::Approve),
                (Status::Reviewing, Action::Reject),
                (Status::Approved, Action::Disburse),
                (Status::Rejected, Action::Reopen),
                (Status::Disbursed, Action::PayOff),
            ]
        );
    }

    #[test]
    fn statuses_only_move_forward_but_a_reopened_rejection() {
        for s in ALL {
            for a in ACTIONS {
                if let Some(step) = transition(s, a).filter(|_| a != Action::Reopen) {
                    assert_eq!(step.from(), s);
                    assert!(step.to().code() > s.code(), "{s:?} → {:?}", step.to());
                }
            }
        }
    }
}
