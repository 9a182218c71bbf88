//! The response envelope (API.md §2) and the system fields of requests.

use serde_json::{Map, Value};

use crate::codes::Failure;
use crate::signing;

/// A successful call as the app sees it.
#[derive(Debug)]
pub struct Success {
    pub code: &'static str,
    pub message: &'static str,
    pub result_set: Value,
    /// A session token to set as the `JSESSIONID` cookie (login).
    pub session_cookie: Option<String>,
    /// Top-level paging fields of paged lists.
    pub paging: Option<Map<String, Value>>,
    /// Admin calls: what the change replaced and set, for the audit log (never sent).
    pub changes: Option<Value>,
}

impl Success {
    pub fn new(code: &'static str, message: &'static str, result_set: Value) -> Self {
        Self {
            code,
            message,
            result_set,
            session_cookie: None,
            paging: None,
            changes: None,
        }
    }

    /// A success with `""` as resultSet.
    pub fn empty(code: &'static str, message: &'static str) -> Self {
        Self::new(code, message, Value::String(String::new()))
    }
}

pub type Outcome = Result<Success, Failure>;

/// Eight random digits.
pub fn server_nonce() -> String {
    format!("{:08}", rand::random::<u32>() % 100_000_000)
}

/// The envelope body of an outcome, signed with `app_key` when given.
pub fn render(outcome: Outcome, app_key: Option<&str>) -> Map<String, Value> {
    let (flag, code, message, result_set, paging) = match outcome {
        Ok(s) => ("0000", s.code, s.message.to_owned(), s.result_set, s.paging),
        Err(f) => ("9999", f.code, f.message, Value::String(String::new()), None),
    };
    let mut body = Map::new();
    body.insert("exceptionFlag".into(), flag.into());
    body.insert("responseCode".into(), code.into());
    body.insert("responseMessage".into(), message.into());
    body.insert(
        "timestamp".into(),
        cashloan_runtime::clock::now_ms().to_string().into(),
    );
    body.insert("nonce".into(), server_nonce().into());
    body.insert("resultSet".into(), result_set);
    body.extend(paging.unwrap_or_default());
    if let Some(key) = app_key {
        let sign = signing::sign(key, &body);
        body.insert("sign".into(), Value::String(sign));
    }
    body
}

pub struct Fields<'a>(pub &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// A required string field.
    pub fn text(&self, name: &str) -> Result<&'a str, Failure> {
        match self.0.get(name) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(crate::codes::bad_field(name)),
        }
    }

    /// An optional string field ("" when absent or null).
    pub fn optional_text(&self, name: &str) -> Result<&'a str, Failure> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(crate::codes::bad_field(name)),
        }
    }

    /// A field sent as a string or a JSON number, as its text (a number as it was written).
    pub fn number_text(&self, name: &str) -> Result<String, Failure> {
        self.optional_number_text(name)?
            .ok_or_else(|| crate::codes::bad_field(name))
    }

    /// As `number_text`, None when absent or null.
    pub fn optional_number_text(&self, name: &str) -> Result<Option<String>, Failure> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(crate::codes::bad_field(name)),
        }
    }

    /// An enumeration code, `"01"` being `"1"` (API.md §2); returns the normalised code.
    pub fn code(&self, name: &str, allowed: &[&'static str]) -> Result<&'static str, Failure> {
        let raw = self.text(name)?;
        let trimmed = raw.trim_start_matches('0');
        let normalized = if trimmed.is_empty() && !raw.is_empty() {
            "0"
        } else {
            trimmed
        };
        allowed
            .iter()
            .find(|a| **a == normalized)
            .copied()
            .ok_or_else(|| crate::codes::bad_field(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_are_signed_and_verify() {
        let ok: Outcome = Ok(Success::new("0000", "成功", json!("ab3k")));
        let body = render(ok, Some("12345678"));
        assert_eq!(body["exceptionFlag"], "0000");
        assert_eq!(body["resultSet"], "ab3k");
        assert_eq!(body["nonce"].as_str().unwrap().len(), 8);
        assert_eq!(signing::verify(&["12345678".to_string()], &body), Some(0));
    }

    #[test]
    fn failures_have_flag_9999_and_empty_result() {
        let err: Outcome = Err(crate::codes::busy());
        let body = render(err, None);
        assert_eq!(body["exceptionFlag"], "9999");
        assert_eq!(body["responseCode"], "99990005");
        assert_eq!(body["resultSet"], "");
        assert!(!body.contains_key("sign"));
    }

    #[test]
    fn enumeration_codes_accept_a_leading_zero() {
        let map = json!({"appType":"02","bad":"4","num":2,"zero":"00","empty":""})
            .as_object()
            .unwrap()
            .clone();
        let f = Fields(&map);
        assert_eq!(f.code("appType", &["1", "2", "3"]).unwrap(), "2");
        assert!(f.code("bad", &["1", "2", "3"]).is_err());
        assert!(f.code("num", &["1", "2", "3"]).is_err());
        assert_eq!(f.code("zero", &["0", "1"]).unwrap(), "0");
        assert!(f.code("empty", &["0", "1"]).is_err());
        assert!(f.text("missing").is_err());
        assert_eq!(f.optional_text("missing").unwrap(), "");
    }
}
