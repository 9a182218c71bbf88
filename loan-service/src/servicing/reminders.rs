//! Periodic jobs (API.md §6.5): a repayment reminder (type 15) the day before a due date and an
//! overdue notice (type 17) the day after a missed one. Each becomes an outbox event whose id is
//! derived from the period and the type, so however often the job runs, and on however many
//! replicas, each period gets each notice once. A period's flags record what it has had, so a job
//! that was down on the right day catches up: a reminder still goes out on the due date itself,
//! an overdue notice on any later day.

use std::time::Duration;

use cashloan_proto::message::v1::LoanEventKind;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::money::format_amount;
use cashloan_runtime::Shutdown;

use crate::error::LoanError;
use crate::store::{OutboxEvent, Store};

/// The two notices a period can need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// 15 还款提醒, the day before the due date.
    Reminder,
    /// 17 逾期催收, the day after a missed one.
    Overdue,
}

impl Notice {
    fn kind(self) -> LoanEventKind {
        match self {
            Self::Reminder => LoanEventKind::RepaymentDue,
            Self::Overdue => LoanEventKind::Overdue,
        }
    }

    /// The prefix of the event id, one per period and notice.
    fn name(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::Overdue => "overdue",
        }
    }
}

/// Periods handled per round; the next round goes on.
const BATCH: i64 = 500;

/// The notice an unpaid period due on `due` needs on `today`, if any. Dates are ISO text.
pub fn notice_for(due: &str, today: &str, tomorrow: &str) -> Option<Notice> {
    if due < today {
        Some(Notice::Overdue)
    } else if due <= tomorrow {
        Some(Notice::Reminder)
    } else {
        None
    }
}

/// Writes the notices due today; returns how many were new.
pub async fn run_once(store: &Store, clock: &Clock) -> Result<usize, LoanError> {
    let today = clock.today();
    let now = clock.now_ms();
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let today = today.to_string();
    let mut created = 0;
    for period in store.periods_awaiting_notice(&today, &tomorrow, BATCH).await? {
        let Some(notice) = notice_for(&period.due_date, &today, &tomorrow) else {
            continue;
        };
        let mut event = OutboxEvent::new(
            notice.kind(),
            &period.user_id,
            &period.mobile,
            &period.product_name,
            &period.code,
            format_amount(period.principal_fen + period.interest_fen + period.fee_fen),
            now,
        );
        event.id = format!("{}:{}", notice.name(), period.id);
        event.event_date = period.due_date.clone();
        if store
            .queue_notice(event, period.id, notice == Notice::Reminder)
            .await?
        {
            created += 1;
        }
    }
    Ok(created)
}

/// Runs the jobs every `interval` until shutdown.
pub async fn run(store: Store, clock: Clock, interval: Duration, shutdown: Shutdown) {
    shutdown
        .every(interval, || async {
            match run_once(&store, &clock).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(notices = n, "reminders and overdue notices queued"),
                Err(e) => tracing::warn!(error = %e, "notice job failed"),
            }
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_day_has_its_notice() {
        let (today, tomorrow) = ("2026-12-10", "2026-12-11");
        assert_eq!(notice_for("2026-12-12", today, tomorrow), None);
        assert_eq!(notice_for("2026-12-11", today, tomorrow), Some(Notice::Reminder));
        // Missed the day before: still reminded on the due date.
        assert_eq!(notice_for("2026-12-10", today, tomorrow), Some(Notice::Reminder));
        assert_eq!(notice_for("2026-12-09", today, tomorrow), Some(Notice::Overdue));
        // Missed the day after: told on any later day.
        assert_eq!(notice_for("2026-11-30", today, tomorrow), Some(Notice::Overdue));
    }
}
