//! Paging (API.md §2): `pageNum` ≥ 1 (default 1), `pageSize` 1–100 (default 10), numbers or digit
//! strings; replies carry PageHelper's top-level fields.

use serde_json::{json, Map, Value};

use crate::codes::{bad_field, Failure};
use crate::envelope::Success;

/// A positive integer from a number or a string of digits.
pub fn positive_int(value: &Value) -> Option<u32> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    u32::try_from(n).ok().filter(|n| *n >= 1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub num: u32,
    pub size: u32,
}

pub fn page_request(body: &Map<String, Value>) -> Result<PageRequest, Failure> {
    let field = |name: &str, default: u32, max: u32| match body.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => positive_int(v)
            .filter(|n| *n <= max)
            .ok_or_else(|| bad_field(name)),
    };
    Ok(PageRequest {
        num: field("pageNum", 1, u32::MAX)?,
        size: field("pageSize", 10, 100)?,
    })
}

/// `pageNum`, `pageSize`, `total`, `pages` (0 when empty), `isFirstPage`, `isLastPage`.
pub fn page_fields(page: PageRequest, total: u64) -> Map<String, Value> {
    let pages = total.div_ceil(u64::from(page.size));
    let fields = json!({
        "pageNum": page.num,
        "pageSize": page.size,
        "total": total,
        "pages": pages,
        "isFirstPage": page.num == 1,
        "isLastPage": u64::from(page.num) >= pages,
    });
    match fields {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    }
}

/// A page of items as a successful query answers it.
pub fn paged(items: Vec<Value>, page: PageRequest, total: u64) -> Success {
    let mut success = Success::new("0000", "查询成功", Value::Array(items));
    success.paging = Some(page_fields(page, total));
    success
}

/// The page as loan-service reads it.
pub fn loan_page(page: PageRequest) -> Option<cashloan_proto::loan::v1::Page> {
    Some(cashloan_proto::loan::v1::Page {
        num: page.num,
        size: page.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_digit_strings_are_accepted() {
        assert_eq!(positive_int(&json!(3)), Some(3));
        assert_eq!(positive_int(&json!("3")), Some(3));
        assert_eq!(positive_int(&json!(0)), None);
        assert_eq!(positive_int(&json!("-1")), None);
        assert_eq!(positive_int(&json!(1.5)), None);
        assert_eq!(positive_int(&json!("x")), None);
    }

    #[test]
    fn page_requests_have_defaults_and_bounds() {
        let body = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            page_request(&body(json!({}))).unwrap(),
            PageRequest { num: 1, size: 10 }
        );
        assert_eq!(
            page_request(&body(json!({"pageNum": "2", "pageSize": 100}))).unwrap(),
            PageRequest { num: 2, size: 100 }
        );
        assert!(page_request(&body(json!({"pageSize": 101}))).is_err());
        assert!(page_request(&body(json!({"pageNum": 0}))).is_err());
    }

    #[test]
    fn pagehelper_semantics() {
        let f = page_fields(PageRequest { num: 1, size: 10 }, 0);
        assert_eq!(
            (
                f["pages"].clone(),
                f["isFirstPage"].clone(),
                f["isLastPage"].clone()
            ),
            (json!(0), json!(true), json!(true))
        );
        let f = page_fields(PageRequest { num: 2, size: 10 }, 25);
        assert_eq!(
            (
                f["pages"].clone(),
                f["isFirstPage"].clone(),
                f["isLastPage"].clone()
            ),
            (json!(3), json!(false), json!(false))
        );
        let f = page_fields(PageRequest { num: 3, size: 10 }, 25);
        assert_eq!(f["isLastPage"], true);
    }
}
