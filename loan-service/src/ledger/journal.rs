//! The double-entry ledger (PAYMENTS.md "The ledger"): every movement of money is a balanced
//! journal entry in fen, naming what caused it; entries are never changed, a correction is a new
//! entry. This module is the rules; `store::ledger` writes and sums them.

use std::collections::BTreeMap;

use crate::loan::charges::Charge;

/// The chart of accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// 1012 money held at the payment channel.
    ChannelFunds,
    /// 1122 loans receivable, principal.
    LoansReceivable,
    /// 1221 payouts the channel made after reporting failure.
    DisputedPayouts,
    /// 2241 money collected that no period was waiting for.
    Overpayments,
    /// 3001 funding of the channel account.
    LenderCapital,
    /// 6011
    InterestIncome,
    /// 6021
    FeeIncome,
    /// 6031
    PenaltyIncome,
    /// 6603 from the channel's statement.
    ChannelFees,
}

pub const ACCOUNTS: [Account; 9] = [
    Account::ChannelFunds,
    Account::LoansReceivable,
    Account::DisputedPayouts,
    Account::Overpayments,
    Account::LenderCapital,
    Account::InterestIncome,
    Account::FeeIncome,
    Account::PenaltyIncome,
    Account::ChannelFees,
];

impl Account {
    pub fn code(self) -> i32 {
        match self {
            Self::ChannelFunds => 1012,
            Self::LoansReceivable => 1122,
            Self::DisputedPayouts => 1221,
            Self::Overpayments => 2241,
            Self::LenderCapital => 3001,
            Self::InterestIncome => 6011,
            Self::FeeIncome => 6021,
            Self::PenaltyIncome => 6031,
            Self::ChannelFees => 6603,
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        ACCOUNTS.into_iter().find(|a| a.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::ChannelFunds => "渠道资金",
            Self::LoansReceivable => "应收贷款本金",
            Self::DisputedPayouts => "争议放款",
            Self::Overpayments => "多收款项",
            Self::LenderCapital => "出资方资本",
            Self::InterestIncome => "利息收入",
            Self::FeeIncome => "服务费收入",
            Self::PenaltyIncome => "罚息收入",
            Self::ChannelFees => "渠道手续费",
        }
    }

    /// Assets and expenses grow on the debit side; the rest on the credit side.
    fn debit_normal(self) -> bool {
        matches!(
            self,
            Self::ChannelFunds | Self::LoansReceivable | Self::DisputedPayouts | Self::ChannelFees
        )
    }
}

/// What an entry records; with its reference (an application, a repayment, an order) it is
/// unique, so the same movement is never booked twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Payout,
    Repayment,
    Funding,
    /// Money collected after its order failed.
    Overpayment,
    /// A payout the channel made after reporting failure.
    DisputedPayout,
    /// A payout the bank sent back (退票).
    PayoutReturn,
    /// An operator applied an overpayment to the periods its order was for.
    OverpaymentApplied,
    /// An overpayment sent back to the customer (the reference is the refund order).
    Refund,
    /// An operator found a disputed payout stands: the loan starts.
    DisputedPayoutSettled,
    /// An operator found a disputed payout came back to the channel account.
    DisputedPayoutRecovered,
}

impl EntryKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Payout => "payout",
            Self::Repayment => "repayment",
            Self::Funding => "funding",
            Self::Overpayment => "overpayment",
            Self::DisputedPayout => "disputed_payout",
            Self::PayoutReturn => "payout_return",
            Self::OverpaymentApplied => "overpayment_applied",
            Self::Refund => "refund",
            Self::DisputedPayoutSettled => "disputed_payout_settled",
            Self::DisputedPayoutRecovered => "disputed_payout_recovered",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Payout,
            Self::Repayment,
            Self::Funding,
            Self::Overpayment,
            Self::DisputedPayout,
            Self::PayoutReturn,
            Self::OverpaymentApplied,
            Self::Refund,
            Self::DisputedPayoutSettled,
            Self::DisputedPayoutRecovered,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// One side of one account in an entry, in fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub account: Account,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

fn debit(account: Account, fen: i64) -> Line {
    Line {
        account,
        debit_fen: fen,
        credit_fen: 0,
    }
}

fn credit(account: Account, fen: i64) -> Line {
    Line {
        account,
        debit_fen: 0,
        credit_fen: fen,
    }
}

/// A journal entry: balanced by construction (the constructors below are the only way to make
/// one), with zero lines left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub reference: String,
    lines: Vec<Line>,
}

impl Entry {
    fn new(kind: EntryKind, reference: &str, lines: Vec<Line>) -> Self {
        let lines: Vec<Line> = lines
            .into_iter()
            .filter(|l| l.debit_fen != 0 || l.credit_fen != 0)
            .collect();
        debug_assert!(balanced(&lines), "an unbalanced entry: {lines:?}");
        Self {
            kind,
            reference: reference.to_owned(),
            lines,
        }
    }

    /// A loan paid out: Dr 1122 principal / Cr 1012.
    pub fn payout(reference: &str, principal_fen: i64) -> Self {
        Self::new(
            EntryKind::Payout,
            reference,
            vec![
                debit(Account::LoansReceivable, principal_fen),
                credit(Account::ChannelFunds, principal_fen),
            ],
        )
    }

    /// A repayment collected: Dr 1012 the total / Cr 1122, 6011, 6021, 6031 by its parts.
    pub fn repayment(reference: &str, charge: &Charge) -> Self {
        Self::new(
            EntryKind::Repayment,
            reference,
            vec![
                debit(Account::ChannelFunds, charge.total()),
                credit(Account::LoansReceivable, charge.principal_fen),
                credit(Account::InterestIncome, charge.interest_fen),
                credit(Account::FeeIncome, charge.fee_fen),
                credit(Account::PenaltyIncome, charge.penalty_fen),
            ],
        )
    }

    /// The lender funds the channel account: Dr 1012 / Cr 3001.
    pub fn funding(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::Funding,
            reference,
            vec![
                debit(Account::ChannelFunds, amount_fen),
                credit(Account::LenderCapital, amount_fen),
            ],
        )
    }

    /// Success reported for a failed repay order: Dr 1012 / Cr 2241.
    pub fn overpayment(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::Overpayment,
            reference,
            vec![
                debit(Account::ChannelFunds, amount_fen),
                credit(Account::Overpayments, amount_fen),
            ],
        )
    }

    /// Success reported for a failed payout: Dr 1221 / Cr 1012.
    pub fn disputed_payout(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::DisputedPayout,
            reference,
            vec![
                debit(Account::DisputedPayouts, amount_fen),
                credit(Account::ChannelFunds, amount_fen),
            ],
        )
    }

    /// A payout returned after success: Dr 1012 / Cr 1122.
    pub fn payout_return(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::PayoutReturn,
            reference,
            vec![
                debit(Account::ChannelFunds, amount_fen),
                credit(Account::LoansReceivable, amount_fen),
            ],
        )
    }

    /// An overpayment applied to the periods it was collected for: Dr 2241 the total / Cr 1122,
    /// 6011, 6021, 6031 by the parts its order charged.
    pub fn overpayment_applied(reference: &str, charge: &Charge) -> Self {
        Self::new(
            EntryKind::OverpaymentApplied,
            reference,
            vec![
                debit(Account::Overpayments, charge.total()),
                credit(Account::LoansReceivable, charge.principal_fen),
                credit(Account::InterestIncome, charge.interest_fen),
                credit(Account::FeeIncome, charge.fee_fen),
                credit(Account::PenaltyIncome, charge.penalty_fen),
            ],
        )
    }

    /// An overpayment sent back: Dr 2241 / Cr 1012.
    pub fn refund(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::Refund,
            reference,
            vec![
                debit(Account::Overpayments, amount_fen),
                credit(Account::ChannelFunds, amount_fen),
            ],
        )
    }

    /// A disputed payout stands, the loan starts: Dr 1122 / Cr 1221.
    pub fn disputed_payout_settled(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::DisputedPayoutSettled,
            reference,
            vec![
                debit(Account::LoansReceivable, amount_fen),
                credit(Account::DisputedPayouts, amount_fen),
            ],
        )
    }

    /// A disputed payout came back: Dr 1012 / Cr 1221.
    pub fn disputed_payout_recovered(reference: &str, amount_fen: i64) -> Self {
        Self::new(
            EntryKind::DisputedPayoutRecovered,
            reference,
            vec![
                debit(Account::ChannelFunds, amount_fen),
                credit(Account::DisputedPayouts, amount_fen),
            ],
        )
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
}

pub fn balanced(lines: &[Line]) -> bool {
    let debits: i64 = lines.iter().map(|l| l.debit_fen).sum();
    let credits: i64 = lines.iter().map(|l| l.credit_fen).sum();
    debits == credits && lines.iter().all(|l| l.debit_fen >= 0 && l.credit_fen >= 0)
}

/// One account's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountTotals {
    pub debit_fen: i64,
    pub credit_fen: i64,
}

/// Every account's debit and credit totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrialBalance(pub BTreeMap<Account, AccountTotals>);

impl TrialBalance {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Self {
        let mut totals: BTreeMap<Account, AccountTotals> =
            ACCOUNTS.into_iter().map(|a| (a, Default::default())).collect();
        for line in lines {
            let t = totals.entry(line.account).or_default();
            t.debit_fen += line.debit_fen;
            t.credit_fen += line.credit_fen;
        }
        Self(totals)
    }

    /// An account's balance on its normal side (debit for assets and expenses).
    pub fn balance(&self, account: Account) -> i64 {
        let t = self.0.get(&account).copied().unwrap_or_default();
        if account.debit_normal() {
            t.debit_fen - t.credit_fen
        } else {
            t.credit_fen - t.debit_fen
        }
    }

    pub fn total_debits(&self) -> i64 {
        self.0.values().map(|t| t.debit_fen).sum()
    }

    pub fn total_credits(&self) -> i64 {
        self.0.values().map(|t| t.credit_fen).sum()
    }
}

/// What the invariants of PAYMENTS.md are checked against: the trial balance and the facts
/// the books must agree with.
pub struct BookFacts {
    pub trial_balance: TrialBalance,
    /// Principal of every disbursed period not yet paid, as the plans say (a frozen plan, whose
    /// payout came back, owes nothing).
    pub outstanding_principal_fen: i64,
    /// Succeeded payout and repay orders without their entry.
    pub orders_without_entry: Vec<String>,
    /// Entries (other than funding) naming no order.
    pub entries_without_order: Vec<String>,
}

/// One invariant and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invariant {
    pub name: &'static str,
    pub holds: bool,
    pub detail: String,
}

/// The invariants of PAYMENTS.md "The ledger".
pub fn invariants(facts: &BookFacts) -> Vec<Invariant> {
    let tb = &facts.trial_balance;
    let receivable = tb.balance(Account::LoansReceivable);
    let listed = |v: &[String]| v.iter().take(10).cloned().collect::<Vec<_>>().join(",");
    vec![
        Invariant {
            name: "debits_equal_credits",
            holds: tb.total_debits() == tb.total_credits(),
            detail: format!("{} / {}", tb.total_debits(), tb.total_credits()),
        },
        Invariant {
            name: "receivable_equals_outstanding_principal",
            holds: receivable == facts.outstanding_principal_fen,
            detail: format!("1122 {receivable} / plans {}", facts.outstanding_principal_fen),
        },
        Invariant {
            name: "every_succeeded_order_booked",
            holds: facts.orders_without_entry.is_empty(),
            detail: listed(&facts.orders_without_entry),
        },
        Invariant {
            name: "every_entry_names_an_order",
            holds: facts.entries_without_order.is_empty(),
            detail: listed(&facts.entries_without_order),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn account_codes_round_trip() {
        for a in ACCOUNTS {
            assert_eq!(Account::from_code(a.code()), Some(a));
        }
        assert_eq!(Account::from_code(1000), None);
    }

    #[test]
    fn a_repayment_credits_each_part_and_leaves_out_zero_lines() {
        let charge = Charge {
            principal_fen: 50_000,
            interest_fen: 700,
            fee_fen: 0,
            penalty_fen: 304,
        };
        let entry = Entry::repayment("r1", &charge);
        assert_eq!(entry.lines().len(), 4, "no fee line");
        assert_eq!(entry.lines()[0], debit(Account::ChannelFunds, 51_004));
        assert!(balanced(entry.lines()));
    }

    /// A random life of loans: payouts, repayments (some split in parts), declined repayments
    /// that book nothing, the same movement reported twice, and fundings.
    #[derive(Clone, Debug)]
    enum Step {
        Fund(i64),
        Disburse(i64),
        Repay {
            loan: usize,
            principal: i64,
            interest: i64,
            fee: i64,
            penalty: i64,
        },
        Declined,
        Duplicate,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1i64..10_000_000).prop_map(Step::Fund),
            (10_000i64..500_000).prop_map(Step::Disburse),
            (0usize..8, 0i64..600_000, 0i64..20_000, 0i64..2_000, 0i64..5_000).prop_map(
                |(loan, principal, interest, fee, penalty)| Step::Repay {
                    loan,
                    principal,
                    interest,
                    fee,
                    penalty
                }
            ),
            Just(Step::Declined),
            Just(Step::Duplicate),
        ]
    }

    proptest! {
        #[test]
        fn every_sequence_keeps_the_invariants(steps in proptest::collection::vec(step(), 1..60)) {
            // What the plans say: each loan's principal not yet repaid.
            let mut outstanding: Vec<i64> = Vec::new();
            // Entries by reference, as the unique index keeps them: a movement is booked once.
            let mut journal: BTreeMap<(String, &'static str), Entry> = BTreeMap::new();
            let mut last: Option<Entry> = None;
            let book = |journal: &mut BTreeMap<(String, &'static str), Entry>, e: Entry| {
                journal.entry((e.reference.clone(), e.kind.name())).or_insert(e);
            };
            for (i, s) in steps.into_iter().enumerate() {
                let entry = match s {
                    Step::Fund(amount) => Some(Entry::funding(&format!("f{i}"), amount)),
                    Step::Disburse(principal) => {
                        outstanding.push(principal);
                        Some(Entry::payout(&format!("loan{}", outstanding.len() - 1), principal))
                    }
                    Step::Repay { loan, principal, interest, fee, penalty } if !outstanding.is_empty() => {
                        let loan = loan % outstanding.len();
                        let principal = principal.min(outstanding[loan]);
                        outstanding[loan] -= principal;
                        let charge = Charge { principal_fen: principal, interest_fen: interest, fee_fen: fee, penalty_fen: penalty };
                        Some(Entry::repayment(&format!("r{i}"), &charge))
                    }
                    Step::Repay { .. } | Step::Declined => None,
                    Step::Duplicate => last.clone(),
                };
                if let Some(e) = entry {
                    prop_assert!(balanced(e.lines()));
                    last = Some(e.clone());
                    book(&mut journal, e);
                }
            }
            let tb = TrialBalance::of(journal.values().flat_map(|e| e.lines().iter()));
            prop_assert_eq!(tb.total_debits(), tb.total_credits());
            prop_assert_eq!(tb.balance(Account::LoansReceivable), outstanding.iter().sum::<i64>());
        }
    }
}
