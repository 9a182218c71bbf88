//! The local bureau (the default): answers at once from the ID number's sequence code, so every
//! outcome can be reproduced end to end (DECISIONS.md "The local bureau").

use super::{Answer, Bureau, Report};
use crate::features::sequence_code;

pub struct LocalBureau;

/// The answer for a sequence code; None: no answer at all (993).
pub fn report(sequence: &str) -> Option<Report> {
    let ordinary = Report {
        multi_lending30d: 1,
        multi_lending90d: 2,
        blacklist_hit: false,
        score: 680,
    };
    let clean = Report {
        multi_lending30d: 0,
        multi_lending90d: 0,
        ..ordinary
    };
    Some(match sequence {
        "990" => Report {
            blacklist_hit: true,
            score: 700,
            ..clean
        },
        "991" => Report {
            multi_lending30d: 12,
            score: 700,
            ..clean
        },
        "992" => Report {
            multi_lending30d: 6,
            score: 700,
            ..clean
        },
        "993" => return None,
        "994" => Report { score: 520, ..clean },
        "995" => Report { score: 600, ..clean },
        _ => ordinary,
    })
}

impl Bureau for LocalBureau {
    fn name(&self) -> &'static str {
        "local"
    }

    fn query<'a>(&'a self, id_card_no: &'a str) -> Answer<'a> {
        Box::pin(async move {
            match report(sequence_code(id_card_no)) {
                Some(r) => Ok(r),
                // Silent, as a bureau that does not answer: the caller's timeout ends the wait.
                None => std::future::pending().await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn sequence_codes_answer_as_the_table_says() {
        assert_eq!(report("990").map(|r| r.blacklist_hit), Some(true));
        assert_eq!(report("991").map(|r| r.multi_lending30d), Some(12));
        assert_eq!(
            report("123"),
            Some(Report {
                multi_lending30d: 1,
                multi_lending90d: 2,
                blacklist_hit: false,
                score: 680
            })
        );
        let quiet =
            super::super::features(&LocalBureau, "110105199001019931", Duration::from_millis(20)).await;
        assert!(quiet.unavailable && quiet.score.is_none());
        let answered =
            super::super::features(&LocalBureau, "110105199001019951", Duration::from_secs(2)).await;
        assert_eq!(answered.score, Some(600));
    }
}
