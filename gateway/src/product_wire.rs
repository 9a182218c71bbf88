//! Products on the wire (API.md §6.3, §7): the typed product of product-service rendered as the
//! app's strings, and the admin's strings parsed back. Values that do not apply are `""`.

use cashloan_proto::product::v1::{Limit, ProductInfo};
use cashloan_runtime::money::{format_amount, format_rate, parse_amount, parse_rate};
use serde_json::{json, Map, Value};

use crate::codes::Failure;

fn join(values: impl Iterator<Item = String>) -> String {
    values.collect::<Vec<_>>().join(",")
}

/// `(limitType, min, max, list)` of a limit, each value written by `fmt`.
fn limit_fields(limit: Option<&Limit>, fmt: fn(i64) -> String) -> (String, String, String, String) {
    match limit {
        None => Default::default(),
        Some(l) if l.fixed => (
            "1".into(),
            String::new(),
            String::new(),
            join(l.values.iter().map(|v| fmt(*v))),
        ),
        Some(l) => ("0".into(), fmt(l.min), fmt(l.max), String::new()),
    }
}

fn count(v: i64) -> String {
    v.to_string()
}

fn offered(p: &ProductInfo, unit: u32) -> bool {
    p.term_units.contains(&unit)
}

/// The fields of the product list (#20).
pub fn summary(p: &ProductInfo) -> Map<String, Value> {
    let (amount_type, min_amount, max_amount, amounts) = limit_fields(p.amount.as_ref(), format_amount);
    let days = if offered(p, 1) { p.days.as_ref() } else { None };
    let months = if offered(p, 2) { p.months.as_ref() } else { None };
    let (days_type, min_days, max_days, fixed_days) = limit_fields(days, count);
    let (months_type, min_months, max_months, fixed_months) = limit_fields(months, count);
    let fields = json!({
        "id": p.id, "name": p.name,
        "amountLimitType": amount_type, "singleMinAmount": min_amount, "singleMaxAmount": max_amount,
        "singleAmounts": amounts,
        "termUnit": join(p.term_units.iter().map(u32::to_string)),
        "daysLimitType": days_type, "singleMinDays": min_days, "singleMaxDays": max_days, "singleDays": fixed_days,
        "monthsLimitType": months_type, "singleMinMonths": min_months, "singleMaxMonths": max_months,
        "singleMonths": fixed_months,
    });
    match fields {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    }
}

/// The detail object (#21): the summary, the defaults, rates, repayment settings, dictionaries.
pub fn detail(p: &ProductInfo) -> Value {
    let mut map = summary(p);
    let (rate_type, min_rate, max_rate, rates) = limit_fields(p.rate.as_ref(), format_rate);
    let extra = json!({
        "detailDescription": p.detail_description,
        "thirdServiceCode": p.third_service_code,
        "singleDefaultAmount": format_amount(p.default_amount),
        "interestRateLimitType": rate_type, "minInterestRate": min_rate, "maxInterestRate": max_rate,
        "interestRates": rates, "defaultInterestRate": format_rate(p.default_rate),
        "singleDefaultDays": if offered(p, 1) { p.default_days.to_string() } else { String::new() },
        "singleDefaultMonths": if offered(p, 2) { p.default_months.to_string() } else { String::new() },
        "repayType": join(p.repay_types.iter().map(u32::to_string)),
        "defaultRepayTermCount": p.default_repay_term_count.to_string(),
        "defaultRepayTermUnit": p.default_repay_term_unit.to_string(),
        "repayTermUnit": join(p.repay_term_units.iter().map(u32::to_string)),
        "penaltyRate": format_rate(p.penalty_rate),
        "termUnitData": {"1": "日", "2": "月"},
        "repayTermUnitData": {"1": "日", "2": "月"},
        "repayTypeData": {"1": "一次性还本付息", "2": "按期还息到期还本", "3": "等额本息", "4": "等本等息"},
        "purposeData": {"15": "租房", "16": "购物", "17": "教育/培训", "18": "医美", "19": "旅游", "20": "日常娱乐",
            "21": "短期资金周转", "22": "偿还信用卡"},
        "otherChannelsData": {"01": "无借款", "02": "有,已结清", "03": "有,未结清"},
    });
    if let Value::Object(extra) = extra {
        map.extend(extra);
    }
    Value::Object(map)
}

/// The object `/admin/products/upsert` takes, as stored: the detail without its dictionaries, and
/// the operator's fields (code, fee rate, on sale, order).
pub fn admin_detail(p: &ProductInfo) -> Value {
    let mut value = detail(p);
    if let Value::Object(map) = &mut value {
        map.retain(|k, _| !k.ends_with("Data"));
        map.insert("code".into(), json!(p.code));
        map.insert("feeRate".into(), json!(format_rate(p.fee_rate)));
        map.insert("onSale".into(), json!(if p.on_sale { "1" } else { "0" }));
        map.insert("sortOrder".into(), json!(p.sort_order.to_string()));
        map.insert("reviewMode".into(), json!(p.review_mode.to_string()));
        map.insert(
            "autoPayoutLimit".into(),
            json!(p.auto_payout_limit.map(format_amount).unwrap_or_default()),
        );
    }
    value
}

/// A failed admin field: 20008002 with the field named.
fn bad(field: &str) -> Failure {
    Failure::new("20008002", format!("产品配置错误: {field}"))
}

/// Reads the admin's product object; format errors name their field.
struct Reader<'a>(&'a Map<String, Value>);

impl Reader<'_> {
    /// A string (or a JSON number, written as its text); "" when absent.
    fn text(&self, name: &str) -> Result<String, Failure> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.trim().to_owned()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(bad(name)),
        }
    }

    fn parsed(&self, name: &str, parse: fn(&str) -> Option<i64>) -> Result<i64, Failure> {
        parse(&self.text(name)?).ok_or_else(|| bad(name))
    }

    fn optional(&self, name: &str, parse: fn(&str) -> Option<i64>) -> Result<i64, Failure> {
        match self.text(name)?.as_str() {
            "" => Ok(0),
            text => parse(text).ok_or_else(|| bad(name)),
        }
    }

    fn list(&self, name: &str, parse: fn(&str) -> Option<i64>) -> Result<Vec<i64>, Failure> {
        let text = self.text(name)?;
        if text.is_empty() {
            return Ok(Vec::new());
        }
        text.split(',')
            .map(|v| parse(v.trim()).ok_or_else(|| bad(name)))
            .collect()
    }

    fn codes(&self, name: &str) -> Result<Vec<u32>, Failure> {
        Ok(self
            .list(name, parse_count)?
            .into_iter()
            .map(|v| v as u32)
            .collect())
    }

    /// A limit: type "0" range (min, max) or "1" fixed list.
    fn limit(
        &self,
        kind: &str,
        min: &str,
        max: &str,
        list: &str,
        parse: fn(&str) -> Option<i64>,
    ) -> Result<Option<Limit>, Failure> {
        match self.text(kind)?.as_str() {
            "" => Ok(None),
            "0" | "00" => Ok(Some(Limit {
                fixed: false,
                min: self.parsed(min, parse)?,
                max: self.parsed(max, parse)?,
                values: vec![],
            })),
            "1" | "01" => Ok(Some(Limit {
                fixed: true,
                min: 0,
                max: 0,
                values: self.list(list, parse)?,
            })),
            _ => Err(bad(kind)),
        }
    }

    /// A term unit's limit and default (`[type, min, max, list, default]` fields), read only
    /// when the product offers the unit.
    fn term_limit(&self, offered: bool, names: [&str; 5]) -> Result<(Option<Limit>, i64), Failure> {
        if !offered {
            return Ok((None, 0));
        }
        let [kind, min, max, list, default] = names;
        let limit = self.limit(kind, min, max, list, parse_count)?;
        Ok((limit, self.optional(default, parse_count)?))
    }
}

fn parse_count(text: &str) -> Option<i64> {
    let ok = !text.is_empty() && text.len() <= 6 && text.bytes().all(|b| b.is_ascii_digit());
    if ok {
        text.parse().ok()
    } else {
        None
    }
}

fn parse_signed(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(rest) => parse_count(rest).map(|v| -v),
        None => parse_count(text),
    }
}

/// The admin's product object (#upsert, API.md §7) as a product to validate and store.
pub fn parse_admin_product(body: &Map<String, Value>) -> Result<ProductInfo, Failure> {
    let r = Reader(body);
    // DECISIONS.md: people decide unless the product says the rules do.
    let review_mode = match r.text("reviewMode")?.as_str() {
        "" | "0" => 0,
        "1" => 1,
        _ => return Err(bad("reviewMode")),
    };
    let auto_payout_limit = match r.text("autoPayoutLimit")?.as_str() {
        "" => None,
        text => Some(
            parse_amount(text)
                .filter(|a| *a > 0)
                .ok_or_else(|| bad("autoPayoutLimit"))?,
        ),
    };
    let on_sale = match r.text("onSale")?.as_str() {
        "1" | "true" => true,
        "0" | "false" => false,
        _ => return Err(bad("onSale")),
    };
    // API.md §6.3: the day and month limits belong only to the units the product offers, so the
    // fields of a unit it does not offer are neither read nor demanded.
    let term_units = r.codes("termUnit")?;
    let (days, default_days) = r.term_limit(
        term_units.contains(&1),
        [
            "daysLimitType",
            "singleMinDays",
            "singleMaxDays",
            "singleDays",
            "singleDefaultDays",
        ],
    )?;
    let (months, default_months) = r.term_limit(
        term_units.contains(&2),
        [
            "monthsLimitType",
            "singleMinMonths",
            "singleMaxMonths",
            "singleMonths",
            "singleDefaultMonths",
        ],
    )?;
    Ok(ProductInfo {
        id: r.text("id")?,
        code: r.text("code")?,
        name: r.text("name")?,
        detail_description: r.text("detailDescription")?,
        third_service_code: r.text("thirdServiceCode")?,
        amount: r.limit(
            "amountLimitType",
            "singleMinAmount",
            "singleMaxAmount",
            "singleAmounts",
            parse_amount,
        )?,
        default_amount: r.parsed("singleDefaultAmount", parse_amount)?,
        rate: r.limit(
            "interestRateLimitType",
            "minInterestRate",
            "maxInterestRate",
            "interestRates",
            parse_rate,
        )?,
        default_rate: r.parsed("defaultInterestRate", parse_rate)?,
        term_units,
        days,
        default_days,
        months,
        default_months,
        repay_types: r.codes("repayType")?,
        default_repay_term_count: r.parsed("defaultRepayTermCount", parse_count)? as u32,
        default_repay_term_unit: r.parsed("defaultRepayTermUnit", parse_count)? as u32,
        repay_term_units: r.codes("repayTermUnit")?,
        penalty_rate: r.parsed("penaltyRate", parse_rate)?,
        fee_rate: r.optional("feeRate", parse_rate)?,
        on_sale,
        sort_order: r.parsed("sortOrder", parse_signed)? as i32,
        review_mode,
        auto_payout_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ProductInfo {
        ProductInfo {
            id: "p1".into(),
            code: "CASH-NEW".into(),
            name: "新现金贷".into(),
            amount: Some(Limit {
                fixed: false,
                min: 50_000,
                max: 500_000,
                values: vec![],
            }),
            default_amount: 200_000,
            rate: Some(Limit {
                fixed: true,
                min: 0,
                max: 0,
                values: vec![360_000],
            }),
            default_rate: 360_000,
            term_units: vec![1],
            days: Some(Limit {
                fixed: true,
                min: 0,
                max: 0,
                values: vec![7, 14],
            }),
            default_days: 7,
            repay_types: vec![1],
            default_repay_term_count: 1,
            default_repay_term_unit: 1,
            repay_term_units: vec![1],
            penalty_rate: 360_000,
            on_sale: true,
            sort_order: 2,
            ..Default::default()
        }
    }

    #[test]
    fn details_render_the_wire_strings() {
        let d = detail(&sample());
        assert_eq!(d["amountLimitType"], "0");
        assert_eq!(d["singleMinAmount"], "500.00");
        assert_eq!(d["singleAmounts"], "");
        assert_eq!(d["singleDays"], "7,14");
        assert_eq!(d["monthsLimitType"], "", "months are not offered");
        assert_eq!(d["singleDefaultMonths"], "");
        assert_eq!(d["interestRates"], "0.3600");
        assert_eq!(d["penaltyRate"], "0.3600");
        assert_eq!(d["repayTypeData"]["3"], "等额本息");
    }

    #[test]
    fn what_is_rendered_parses_back() {
        let Value::Object(mut body) = detail(&sample()) else {
            unreachable!()
        };
        body.insert("code".into(), json!("CASH-NEW"));
        body.insert("onSale".into(), json!("1"));
        body.insert("sortOrder".into(), json!(2));
        body.insert("feeRate".into(), json!("0.0000"));
        let parsed = parse_admin_product(&body).unwrap();
        let mut expected = sample();
        expected.months = None;
        assert_eq!(parsed, expected);
    }

    #[test]
    fn format_errors_name_the_field() {
        let mut body = Map::new();
        body.insert("onSale".into(), json!("1"));
        body.insert("amountLimitType".into(), json!("0"));
        body.insert("singleMinAmount".into(), json!("5.001"));
        let err = parse_admin_product(&body).unwrap_err();
        assert_eq!(err.code, "20008002");
        assert!(err.message.contains("singleMinAmount"), "{}", err.message);
    }
}
