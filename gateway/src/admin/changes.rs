//! The values before and after an admin change (API.md §7), for its audit entry: snapshots of
//! what the call may change, taken around it, and their difference field by field.

use cashloan_proto::auth::v1 as auth;
use serde_json::{json, Map, Value};

use crate::envelope::Outcome;
use crate::state::Gateway;

/// `{field: {before, after}}` for every top-level field that differs; None when nothing did.
pub fn diff(before: &Value, after: &Value) -> Option<Value> {
    let empty = Map::new();
    let (b, a) = (
        before.as_object().unwrap_or(&empty),
        after.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let changed: Map<String, Value> = keys
        .into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            let side = |m: &Map<String, Value>| m.get(k).cloned().unwrap_or(Value::Null);
            (k.clone(), json!({"before": side(b), "after": side(a)}))
        })
        .collect();
    (!changed.is_empty()).then_some(Value::Object(changed))
}

/// The outcome with its changes attached, when it succeeded and something changed.
pub fn attach(outcome: Outcome, before: Option<Value>, after: Option<Value>) -> Outcome {
    outcome.map(|mut s| {
        if let (Some(before), Some(after)) = (before, after) {
            s.changes = diff(&before, &after);
        }
        s
    })
}

/// A customer's flags and credit line; None when they cannot be read (the change is still
/// recorded, without its values).
pub async fn user(gw: &Gateway, mobile: &str) -> Option<Value> {
    let c = super::customer_state::read(gw, mobile).await.ok()?;
    Some(json!({"isBlackList": c.blacklisted(), "isRisk": c.risk(), "totalCredit": c.credit.credit_line}))
}

/// What a review or a payout changes of an application.
pub async fn application(gw: &Gateway, id: &str) -> Option<Value> {
    let app = super::application::bare(gw, id).await.ok()?;
    Some(json!({
        "applyStatus": app.status.to_string(),
        "replyAmount": app.reply_amount,
        "authTermCount": app.auth_term_count,
        "authTermUnit": app.auth_term_unit,
        "releaseDate": app.release_date,
    }))
}

/// A product as the editor shows it, by id or else by code.
pub async fn product(gw: &Gateway, id: &str, code: &str) -> Option<Value> {
    super::every_product(gw)
        .await
        .ok()?
        .iter()
        .find(|p| if id.is_empty() { p.code == code } else { p.id == id })
        .map(crate::product_wire::admin_detail)
        .or(Some(json!({})))
}

/// An operator's roles and state (never a password or a secret).
pub async fn operator(gw: &Gateway, id: &str) -> Option<Value> {
    let list = gw
        .auth
        .clone()
        .list_operators(auth::Empty {})
        .await
        .ok()?
        .into_inner();
    let o = list.items.iter().find(|o| o.id == id)?;
    Some(json!({"roles": o.roles, "disabled": o.disabled, "totpEnrolled": o.totp_enrolled}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_differs_with_both_sides() {
        let before = json!({"isBlackList": "0", "isRisk": "0", "totalCredit": "5000.00"});
        let after = json!({"isBlackList": "1", "isRisk": "0", "totalCredit": "8000.00"});
        assert_eq!(
            diff(&before, &after),
            Some(json!({
                "isBlackList": {"before": "0", "after": "1"},
                "totalCredit": {"before": "5000.00", "after": "8000.00"},
            }))
        );
        assert_eq!(diff(&before, &before), None);
        assert_eq!(
            diff(&json!({}), &json!({"code": "NEW"})),
            Some(json!({"code": {"before": null, "after": "NEW"}})),
            "a creation"
        );
    }
}
