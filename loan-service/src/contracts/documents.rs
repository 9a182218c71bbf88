//! Contract documents (API.md §6.6): versioned templates kept in the repository
//! (`loan-service/contracts/`), rendered with an application's terms and parties into the HTML the
//! borrower accepts. A rendered document is stored as it was shown, with its SHA-256 and template
//! version, and never rendered again: a new template version touches only later loans.

use std::collections::BTreeMap;

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1::ProductInfo;
use cashloan_runtime::money::{format_decimal, rate};
use chrono::NaiveDate;

use crate::loan::schedule::{RepayType, TermUnit};
use crate::loan::terms::AcceptedTerms;

/// The documents an application has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// 借款协议.
    LoanAgreement,
    /// 委托扣款授权书.
    CollectionAuthorisation,
    /// 还款计划表: issued at disbursal with the plan's actual dates, citing the agreement.
    RepaymentPlan,
}

impl DocumentKind {
    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            Self::LoanAgreement => "loan-agreement",
            Self::CollectionAuthorisation => "collection-authorisation",
            Self::RepaymentPlan => "repayment-plan",
        }
    }

    /// The name the app shows (`contractName`).
    pub fn title(self) -> &'static str {
        match self {
            Self::LoanAgreement => "借款协议",
            Self::CollectionAuthorisation => "委托扣款授权书",
            Self::RepaymentPlan => "还款计划表",
        }
    }

    /// In the order the app lists them.
    pub const ALL: [DocumentKind; 3] = [
        Self::LoanAgreement,
        Self::CollectionAuthorisation,
        Self::RepaymentPlan,
    ];
}

/// One version of one document's text.
pub struct Template {
    pub kind: DocumentKind,
    pub version: &'static str,
    text: &'static str,
}

/// The versions new documents are rendered from. Older files stay in the repository beside them;
/// stored documents are never rendered again.
pub const CURRENT: [Template; 2] = [
    Template {
        kind: DocumentKind::LoanAgreement,
        version: "loan-agreement.v1",
        text: include_str!("../../contracts/loan-agreement.v1.html"),
    },
    Template {
        kind: DocumentKind::CollectionAuthorisation,
        version: "collection-authorisation.v1",
        text: include_str!("../../contracts/collection-authorisation.v1.html"),
    },
];

/// The plan issued when the loan is paid out.
pub const PLAN: Template = Template {
    kind: DocumentKind::RepaymentPlan,
    version: "repayment-plan.v1",
    text: include_str!("../../contracts/repayment-plan.v1.html"),
};

/// The lender, as the documents name it (configuration: it is the licensed company's).
#[derive(clap::Args, Clone, Debug)]
pub struct Lender {
    /// The lender's legal name, printed on every contract.
    #[arg(
        long = "lender-name",
        env = "LENDER_NAME",
        default_value = "（测试）本地演示小额贷款有限公司"
    )]
    pub name: String,
    /// The lender's licence (经营许可) as printed on contracts.
    #[arg(
        long = "lender-licence",
        env = "LENDER_LICENCE",
        default_value = "（测试环境，未配置）"
    )]
    pub licence: String,
    /// The lender's registered address.
    #[arg(
        long = "lender-address",
        env = "LENDER_ADDRESS",
        default_value = "（测试环境，未配置）"
    )]
    pub address: String,
}

impl Default for Lender {
    fn default() -> Self {
        Self {
            name: "（测试）本地演示小额贷款有限公司".into(),
            licence: "（测试环境，未配置）".into(),
            address: "（测试环境，未配置）".into(),
        }
    }
}

/// The borrower as verified (the stored document keeps the numbers whole, encrypted at rest).
pub struct Borrower {
    pub name: String,
    pub id_card: String,
    pub mobile: String,
}

/// Everything a template may print: named fields, and one set of fields per schedule period.
#[derive(Debug, Default)]
pub struct Facts {
    fields: BTreeMap<&'static str, String>,
    schedule: Vec<BTreeMap<&'static str, String>>,
}

/// What the documents of one application state.
pub struct Application<'a> {
    /// The application number (`CL…`), or a placeholder in a preview.
    pub code: &'a str,
    /// A purposeData code (API.md §6.3).
    pub purpose: &'a str,
    pub terms: &'a AcceptedTerms,
    /// The quote of these terms: the figures and the schedule, exactly as the app showed them.
    pub quote: &'a pb::QuoteReply,
    pub today: NaiveDate,
}

fn purpose_label(code: &str) -> &'static str {
    match code {
        "15" => "租房",
        "16" => "购物",
        "17" => "教育/培训",
        "18" => "医美",
        "19" => "旅游",
        "20" => "日常娱乐",
        "21" => "短期资金周转",
        "22" => "偿还信用卡",
        _ => "",
    }
}

fn repay_type_label(t: RepayType) -> &'static str {
    match t {
        RepayType::Bullet => "一次性还本付息",
        RepayType::InterestOnly => "按期还息到期还本",
        RepayType::Annuity => "等额本息",
        RepayType::FlatEqual => "等本等息",
    }
}

fn term_label(count: u32, unit: TermUnit) -> String {
    match unit {
        TermUnit::Day => format!("{count}天"),
        TermUnit::Month => format!("{count}个月"),
    }
}

/// How a period's interest follows from the annual rate (`schedule::period_rate`).
fn interest_basis(unit: TermUnit) -> &'static str {
    match unit {
        TermUnit::Day => "按日计息，日利率 = 年利率 ÷ 360",
        TermUnit::Month => "按月计息，月利率 = 年利率 ÷ 12",
    }
}

/// `360000` ppm → `36.00%`.
fn percent(ppm: i64) -> String {
    format!(
        "{}%",
        format_decimal(rate(ppm) * rust_decimal::Decimal::ONE_HUNDRED, 2)
    )
}

impl Facts {
    pub fn new(lender: &Lender, borrower: &Borrower, product: &ProductInfo, a: &Application<'_>) -> Self {
        let q = a.quote;
        let apr = q
            .apr
            .parse::<rust_decimal::Decimal>()
            .map(|apr| format!("{}%", format_decimal(apr * rust_decimal::Decimal::ONE_HUNDRED, 2)))
            .unwrap_or_default();
        let fields = BTreeMap::from([
            ("application_code", a.code.to_owned()),
            ("apr", apr),
            ("lender_name", lender.name.clone()),
            ("lender_licence", lender.licence.clone()),
            ("lender_address", lender.address.clone()),
            ("borrower_name", borrower.name.clone()),
            ("borrower_id_card", borrower.id_card.clone()),
            ("borrower_mobile", borrower.mobile.clone()),
            (
                "purpose",
                match a.purpose {
                    "" => "（提交申请时选择）",
                    code => purpose_label(code),
                }
                .to_owned(),
            ),
            ("amount", q.apply_amount.clone()),
            ("reply_amount", q.reply_amount.clone()),
            ("term", term_label(a.terms.term_count, a.terms.term_unit)),
            ("repay_type", repay_type_label(a.terms.repay_type).to_owned()),
            ("interest_rate", percent(a.terms.rate_ppm)),
            ("interest_basis", interest_basis(a.terms.term_unit).to_owned()),
            ("fee_rate", percent(product.fee_rate)),
            ("total_fee", q.total_due_fee.clone()),
            ("penalty_rate", percent(product.penalty_rate)),
            ("start_date", a.today.to_string()),
            ("total_principal", q.total_due_principal.clone()),
            ("total_interest", q.total_due_interest.clone()),
            ("total_amount", q.total_amount.clone()),
            ("signed_date", a.today.to_string()),
        ]);
        Self {
            fields,
            schedule: schedule_rows(&q.schedule),
        }
    }

    /// The facts of the plan issued at disbursal.
    pub fn plan(lender: &Lender, p: &Plan<'_>) -> Self {
        let fields = BTreeMap::from([
            ("application_code", p.code.to_owned()),
            ("lender_name", lender.name.clone()),
            ("reply_amount", p.reply_amount.clone()),
            ("release_date", p.release_date.to_string()),
            ("total_amount", p.total_amount.clone()),
            ("agreement_sha256", p.agreement_sha256.to_owned()),
            ("signed_date", p.today.to_string()),
        ]);
        Self {
            fields,
            schedule: schedule_rows(p.periods),
        }
    }
}

fn schedule_rows(periods: &[pb::SchedulePeriod]) -> Vec<BTreeMap<&'static str, String>> {
    periods
        .iter()
        .map(|p| {
            BTreeMap::from([
                ("period", p.period_num.to_string()),
                ("due_date", p.due_repay_date.clone()),
                ("principal", p.due_principal.clone()),
                ("interest", p.due_interest.clone()),
                ("fee", p.fee.clone()),
                ("due_amount", p.due_amount.clone()),
            ])
        })
        .collect()
}

/// What the plan issued at disbursal states: the plan with its actual dates, and the hash of the
/// agreement it belongs to.
pub struct Plan<'a> {
    pub code: &'a str,
    pub agreement_sha256: &'a str,
    pub release_date: NaiveDate,
    pub reply_amount: String,
    pub total_amount: String,
    pub periods: &'a [pb::SchedulePeriod],
    pub today: NaiveDate,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the template names {0:?}, which no document states")]
    UnknownField(String),
    #[error("the template's schedule block is not closed")]
    UnclosedBlock,
}

const EACH: &str = "<!--each schedule-->";
const END: &str = "<!--end schedule-->";

/// The template with every `{{field}}` replaced by its value (HTML-escaped) and the schedule block
/// repeated once per period.
pub fn render(template: &Template, facts: &Facts) -> Result<String, RenderError> {
    let text = template.text;
    let Some(start) = text.find(EACH) else {
        return fill(text, &facts.fields, template.version);
    };
    let end = text[start..].find(END).ok_or(RenderError::UnclosedBlock)? + start;
    let row = &text[start + EACH.len()..end];
    let mut out = fill(&text[..start], &facts.fields, template.version)?;
    for period in &facts.schedule {
        out += &fill(row.trim_start_matches('\n'), period, template.version)?;
    }
    out += &fill(
        text[end + END.len()..].trim_start_matches('\n'),
        &facts.fields,
        template.version,
    )?;
    Ok(out)
}

fn fill(text: &str, fields: &BTreeMap<&'static str, String>, version: &str) -> Result<String, RenderError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out += &rest[..open];
        let close = rest[open..]
            .find("}}")
            .ok_or_else(|| RenderError::UnknownField(rest[open..].chars().take(20).collect()))?;
        let name = &rest[open + 2..open + close];
        let value = match name {
            "template" => version,
            _ => fields
                .get(name)
                .ok_or_else(|| RenderError::UnknownField(name.to_owned()))?,
        };
        escape_into(&mut out, value);
        rest = &rest[open + close + 2..];
    }
    out += rest;
    Ok(out)
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// A rendered document as it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentKind,
    pub template_version: &'static str,
    pub body: String,
    /// Lower-case hex SHA-256 of `body`'s UTF-8 bytes.
    pub sha256: String,
}

pub use cashloan_runtime::evidence::sha256_hex;

/// The application's documents from the current templates.
pub fn documents(facts: &Facts) -> Result<Vec<Document>, RenderError> {
    CURRENT.iter().map(|template| document(template, facts)).collect()
}

/// One document from one template.
pub fn document(template: &Template, facts: &Facts) -> Result<Document, RenderError> {
    let body = render(template, facts)?;
    Ok(Document {
        kind: template.kind,
        template_version: template.version,
        sha256: sha256_hex(body.as_bytes()),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loan::quote;
    use cashloan_proto::product::v1::Limit;

    fn product() -> ProductInfo {
        let range = |min, max| {
            Some(Limit {
                fixed: false,
                min,
                max,
                values: vec![],
            })
        };
        ProductInfo {
            id: "p".into(),
            code: "FLEX".into(),
            name: "灵活贷".into(),
            amount: range(10_000, 2_000_000),
            rate: range(100_000, 360_000),
            term_units: vec![1, 2],
            days: range(7, 28),
            months: range(1, 12),
            repay_types: vec![1, 2, 3, 4],
            repay_term_units: vec![1, 2],
            penalty_rate: 360_000,
            fee_rate: 0,
            on_sale: true,
            ..Default::default()
        }
    }

    fn request(repay_type: &str, unit: &str, count: &str) -> pb::QuoteRequest {
        pb::QuoteRequest {
            product_id: "p".into(),
            amount: "5000.00".into(),
            term_count: count.into(),
            term_unit: unit.into(),
            repay_term_count: "1".into(),
            repay_term_unit: unit.into(),
            repay_type: repay_type.into(),
            interest_rate: "0.24".into(),
            ..Default::default()
        }
    }

    fn borrower() -> Borrower {
        Borrower {
            name: "王小明".into(),
            id_card: "110101199001011237".into(),
            mobile: "13800138000".into(),
        }
    }

    /// The text of each `<td>` of each schedule row, in order.
    fn schedule_cells(body: &str) -> Vec<Vec<String>> {
        let tbody = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
        tbody
            .split("<tr>")
            .skip(1)
            .map(|row| {
                row.split("<td>")
                    .skip(1)
                    .map(|cell| cell[..cell.find("</td>").unwrap()].to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_agreement_states_the_quotes_figures_to_the_cent_for_every_repay_type() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let cap = rust_decimal::Decimal::new(36, 2);
        for (kind, unit, count) in [
            ("1", "1", "14"),
            ("2", "2", "6"),
            ("3", "2", "12"),
            ("4", "2", "3"),
        ] {
            let r = request(kind, unit, count);
            let q = quote::quote(&product(), &r, today, cap).unwrap();
            let terms = quote::validate(&product(), &r, today, cap).unwrap();
            let facts = Facts::new(
                &Lender::default(),
                &borrower(),
                &product(),
                &Application {
                    code: "CL20261201000001",
                    purpose: "21",
                    terms: &terms,
                    quote: &q,
                    today,
                },
            );
            let docs = documents(&facts).unwrap();
            let agreement = &docs[0].body;
            let rows = schedule_cells(agreement);
            assert_eq!(rows.len(), q.schedule.len(), "repay type {kind}");
            for (row, p) in rows.iter().zip(&q.schedule) {
                assert_eq!(
                    row,
                    &vec![
                        p.period_num.to_string(),
                        p.due_repay_date.clone(),
                        p.due_principal.clone(),
                        p.due_interest.clone(),
                        p.fee.clone(),
                        p.due_amount.clone()
                    ],
                    "repay type {kind}"
                );
            }
            for figure in [&q.total_amount, &q.total_due_interest, &q.apply_amount] {
                assert!(
                    agreement.contains(&format!("{figure} 元")),
                    "{figure} in repay type {kind}"
                );
            }
            assert!(agreement.contains(repay_type_label(terms.repay_type)));
            assert!(agreement.contains("24.00%"), "the interest rate");
            assert!(
                agreement.contains("110101199001011237"),
                "the stored document keeps the number"
            );
            assert_eq!(docs[0].sha256, sha256_hex(agreement.as_bytes()));
            assert!(!agreement.contains("{{"), "every field filled");
        }
    }

    #[test]
    fn the_apr_is_the_most_prominent_price() {
        let text = CURRENT[0].text;
        let apr = text.find("{{apr}}").unwrap();
        assert!(
            apr < text.find("{{interest_rate}}").unwrap(),
            "stated before any other price"
        );
        assert!(
            text.contains(".apr strong { font-size: 28px"),
            "and larger than any other text"
        );
    }

    #[test]
    fn values_are_escaped_and_unknown_fields_refused() {
        let template = Template {
            kind: DocumentKind::LoanAgreement,
            version: "t",
            text: "<p>{{borrower_name}}</p>{{nope}}",
        };
        let mut facts = Facts::default();
        facts.fields.insert("borrower_name", "<script>x</script>".into());
        assert_eq!(
            render(&template, &facts),
            Err(RenderError::UnknownField("nope".into()))
        );
        let template = Template {
            text: "<p>{{borrower_name}}</p>",
            ..template
        };
        assert_eq!(
            render(&template, &facts).unwrap(),
            "<p>&lt;script&gt;x&lt;/script&gt;</p>"
        );
    }

    #[test]
    fn the_plan_states_its_rows_and_cites_the_agreement() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let q = quote::quote(
            &product(),
            &request("4", "2", "3"),
            today,
            rust_decimal::Decimal::new(36, 2),
        )
        .unwrap();
        let hash = sha256_hex(b"agreement");
        let facts = Facts::plan(
            &Lender::default(),
            &Plan {
                code: "CL20261201000001",
                agreement_sha256: &hash,
                release_date: today,
                reply_amount: q.reply_amount.clone(),
                total_amount: q.total_amount.clone(),
                periods: &q.schedule,
                today,
            },
        );
        let plan = document(&PLAN, &facts).unwrap();
        assert_eq!(plan.kind, DocumentKind::RepaymentPlan);
        assert_eq!(schedule_cells(&plan.body).len(), 3);
        assert!(plan.body.contains(&format!("SHA-256 {hash}")) && plan.body.contains("CL20261201000001"));
        assert!(plan.body.contains(&format!("{} 元", q.total_amount)));
    }
}
