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

/// `yyyy-MM-dd` of an instant in UTC+8; empty for an instant out of range.
pub fn date_cst(epoch_ms: i64) -> String {
    DateTime::from_timestamp_millis(epoch_ms)
        .map(|t| t.with_timezone(&cst()).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The first instant (epoch ms) of a date in UTC+8.
pub fn day_start_ms(day: NaiveDate) -> i64 {
    (day.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::hours(8))
        .and_utc()
        .timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_china() {
        let day = NaiveDate::from_ymd_opt(2023, 11, 15).unwrap();
        assert_eq!(date_cst(day_start_ms(day)), "2023-11-15");
        assert_eq!(date_cst(day_start_ms(day) - 1), "2023-11-14");
    }

    #[test]
    fn dates_are_china_dates() {
        assert_eq!(date_cst(1_700_000_000_000), "2023-11-15");
    }

    #[test]
    fn datetimes_are_written_in_china_standard_time() {
        // 2023-11-14 22:13:20 UTC is the next morning in Beijing.
        assert_eq!(format_datetime_cst(1_700_000_000_000), "2023-11-15 06:13:20");
    }
}

/// The clock of services whose rules depend on dates (penalties, jobs): the system clock plus an
/// offset that only tests move, so they can "wait" days without sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Today's date in UTC+8 by this clock.
    pub fn today(&self) -> NaiveDate {
        DateTime::from_timestamp_millis(self.now_ms())
            .map_or_else(today_cst, |t| t.with_timezone(&cst()).date_naive())
    }

    /// Moves this clock (and every copy of it) forward by whole days.
    pub fn advance_days(&self, days: i64) {
        self.advance_ms(days * 86_400_000);
    }

    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_seen_by_its_copies() {
        let clock = Clock::default();
        let copy = clock.clone();
        let today = clock.today();
        clock.advance_days(3);
        assert_eq!(copy.today(), today + chrono::Days::new(3));
    }
}
