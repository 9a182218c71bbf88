//! The quote (API.md §6.4, #22): validated terms, the schedule from today, the apr under the cap.

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1::ProductInfo;
use cashloan_runtime::money::{amount, format_decimal, rate};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::LoanError;
use crate::loan::schedule::{self, LoanTerms, Schedule};
use crate::loan::terms::{self, AcceptedTerms, RequestedTerms};

pub fn loan_terms(product: &ProductInfo, t: &AcceptedTerms, start: NaiveDate) -> LoanTerms {
    LoanTerms {
        principal: amount(t.amount_fen),
        annual_rate: rate(t.rate_ppm),
        fee_rate: rate(product.fee_rate),
        term_count: t.term_count,
        term_unit: t.term_unit,
        repay_term_count: t.repay_term_count,
        repay_type: t.repay_type,
        start,
    }
}

fn money(value: Decimal) -> String {
    format_decimal(value, 2)
}

fn reply(principal: Decimal, s: &Schedule, apr: Decimal) -> pb::QuoteReply {
    pb::QuoteReply {
        apply_amount: money(principal),
        // No fee is ever deducted up front.
        reply_amount: money(principal),
        total_amount: money(s.total_amount()),
        total_due_principal: money(s.total_principal()),
        total_due_interest: money(s.total_interest()),
        total_due_fee: money(s.total_fee()),
        repay_time: s
            .periods
            .first()
            .map(|p| p.due_date.to_string())
            .unwrap_or_default(),
        apr: format_decimal(apr, 4),
        schedule: s
            .periods
            .iter()
            .map(|p| pb::SchedulePeriod {
                period_num: p.num,
                due_repay_date: p.due_date.to_string(),
                due_principal: money(p.principal),
                due_interest: money(p.interest),
                fee: money(p.fee),
                due_amount: money(p.amount()),
            })
            .collect(),
        // Issued per reply by the service (`preview_token`).
        contract_preview_token: String::new(),
    }
}

/// The terms of a request, validated against the product, with the resulting apr under the cap.
pub fn validate(
    product: &ProductInfo,
    request: &pb::QuoteRequest,
    today: NaiveDate,
    apr_cap: Decimal,
) -> Result<AcceptedTerms, LoanError> {
    priced(product, request, today, apr_cap).map(|(accepted, _, _)| accepted)
}

fn priced(
    product: &ProductInfo,
    request: &pb::QuoteRequest,
    today: NaiveDate,
    apr_cap: Decimal,
) -> Result<(AcceptedTerms, Schedule, Decimal), LoanError> {
    let requested = RequestedTerms {
        amount: &request.amount,
        interest_rate: &request.interest_rate,
        term_unit: &request.term_unit,
        term_count: &request.term_count,
        repay_term_unit: &request.repay_term_unit,
        repay_term_count: &request.repay_term_count,
        repay_type: &request.repay_type,
    };
    let accepted = terms::validate(product, &requested).map_err(LoanError::Terms)?;
    let terms = loan_terms(product, &accepted, today);
    let s = schedule::build(&terms);
    let apr = schedule::apr(&s, terms.principal);
    // Compare at the precision the apr is shown with.
    if format_decimal(apr, 4).parse::<Decimal>().unwrap_or(apr) > apr_cap {
        return Err(LoanError::AprAboveCap);
    }
    Ok((accepted, s, apr))
}

/// Validates the request against the product and prices it from `today`.
pub fn quote(
    product: &ProductInfo,
    request: &pb::QuoteRequest,
    today: NaiveDate,
    apr_cap: Decimal,
) -> Result<pb::QuoteReply, LoanError> {
    let (accepted, s, apr) = priced(product, request, today, apr_cap)?;
    Ok(reply(amount(accepted.amount_fen), &s, apr))
}

/// Prices terms already accepted (an approval's) from `start`, without the product's limits.
pub fn of_terms(product: &ProductInfo, accepted: &AcceptedTerms, start: NaiveDate) -> pb::QuoteReply {
    let terms = loan_terms(product, accepted, start);
    let s = schedule::build(&terms);
    reply(terms.principal, &s, schedule::apr(&s, terms.principal))
}
