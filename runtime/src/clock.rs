//! Time as the business sees it: instants are epoch milliseconds, dates are China Standard Time.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time, UTC+8, the zone of every date on the wire (API.md §2).
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Today's date in UTC+8.
pub fn today_cst() -> NaiveDate {
    Utc::now().with_timezone(&cst()).date_naive()
}

/// `yyyy-MM-dd HH:mm:ss` in UTC+8; empty for an instant out of range.
pub fn format_datetime_cst(epoch_ms: i64) -> String {
    DateTime::from_timestamp_millis(epoch_ms)
        .map(|t| t.with_timezone(&cst()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_written_in_china_standard_time() {
        // 2023-11-14 22:13:20 UTC is the next morning in Beijing.
        assert_eq!(format_datetime_cst(1_700_000_000_000), "2023-11-15 06:13:20");
    }
}
