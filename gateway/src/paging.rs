//! Numbers that clients may send as JSON numbers or as strings ("1").

use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_digit_strings_are_accepted() {
        assert_eq!(positive_int(&json!(3)), Some(3));
        assert_eq!(positive_int(&json!("3")), Some(3));
        assert_eq!(positive_int(&json!(0)), None);
        assert_eq!(positive_int(&json!("-1")), None);
        assert_eq!(positive_int(&json!(1.5)), None);
        assert_eq!(positive_int(&json!("x")), None);
    }
}
