//! Money and rates on the wire and in storage (API.md §2, ARCHITECTURE.md): amounts are integer
//! fen in storage and `"5000.00"` on the wire; rates are integer millionths in storage and
//! `"0.3600"` on the wire. Arithmetic happens in exact decimals, never floats.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Digits, optionally a point and up to `max_decimals` digits; the value scaled by 10^`scale`.
fn parse_scaled(text: &str, max_int_digits: usize, max_decimals: usize, scale: u32) -> Option<i64> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > max_int_digits || !digits_only(int) || !digits_only(frac) {
        return None;
    }
    if frac.len() > max_decimals || (text.contains('.') && frac.is_empty()) {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let mut frac_value: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    for _ in frac.len()..scale as usize {
        frac_value *= 10;
    }
    int.checked_mul(10i64.pow(scale))?.checked_add(frac_value)
}

/// `"5000"`, `"5000.5"`, `"5000.00"` → fen; more than two decimals, signs or exponents are not
/// amounts.
pub fn parse_amount(text: &str) -> Option<i64> {
    parse_scaled(text, 12, 2, 2)
}

/// `"0.36"`, `"0.3600"` → millionths (360000); at most six decimals.
pub fn parse_rate(text: &str) -> Option<i64> {
    parse_scaled(text, 3, 6, 6)
}

/// `500000` → `"5000.00"`.
pub fn format_amount(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `360000` → `"0.3600"` (four decimals, half-up).
pub fn format_rate(ppm: i64) -> String {
    format_decimal(rate(ppm), 4)
}

/// A decimal written with exactly `places` decimals, rounded half-up.
pub fn format_decimal(value: Decimal, places: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded.to_string()
}

pub fn amount(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

pub fn rate(ppm: i64) -> Decimal {
    Decimal::new(ppm, 6)
}

/// Rounds half-up to the cent (API.md §6.4).
pub fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal amount in fen, rounded half-up to the cent; None when out of range.
pub fn to_fen(value: Decimal) -> Option<i64> {
    cents(value).checked_mul(Decimal::ONE_HUNDRED)?.to_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(parse_amount("5000.00"), Some(500_000));
        assert_eq!(parse_amount("5000"), Some(500_000));
        assert_eq!(parse_amount("0.1"), Some(10));
        assert_eq!(parse_amount("0.07"), Some(7));
        for bad in ["", "1.", ".5", "1.234", "-1", "+1", "1e3", "1,000", " 1", "１"] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rates_parse_to_millionths() {
        assert_eq!(parse_rate("0.36"), Some(360_000));
        assert_eq!(parse_rate("0.3600"), Some(360_000));
        assert_eq!(parse_rate("0.123456"), Some(123_456));
        assert_eq!(parse_rate("0.1234567"), None);
        assert_eq!(parse_rate("abc"), None);
    }

    #[test]
    fn formats_have_fixed_decimals() {
        assert_eq!(format_amount(500_000), "5000.00");
        assert_eq!(format_amount(7), "0.07");
        assert_eq!(format_amount(-150), "-1.50");
        assert_eq!(format_rate(360_000), "0.3600");
        assert_eq!(format_rate(123_450), "0.1235", "half-up");
        assert_eq!(format_decimal(Decimal::new(5, 1), 2), "0.50");
    }

    #[test]
    fn cents_round_half_up() {
        assert_eq!(cents(Decimal::new(1005, 3)), Decimal::new(101, 2));
        assert_eq!(to_fen(Decimal::new(88849, 2)), Some(88849));
    }
}
