//! What one ruleset changes from another, part by part (each rule by id, each band by name, the
//! scorecard), for the console's review before a version is activated.

use serde::Serialize;

use super::ruleset::Document;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub part: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub before: String,
    pub after: String,
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Parts keyed by name, in the order of `after` (then what only `before` has).
fn keyed<T: Serialize + PartialEq>(
    kind: &str,
    before: &[T],
    after: &[T],
    key: impl Fn(&T) -> &str,
    out: &mut Vec<Change>,
) {
    for a in after {
        let part = format!("{kind} {}", key(a));
        match before.iter().find(|b| key(b) == key(a)) {
            None => out.push(Change {
                part,
                change: "added",
                before: String::new(),
                after: json(a),
            }),
            Some(b) if b != a => out.push(Change {
                part,
                change: "changed",
                before: json(b),
                after: json(a),
            }),
            Some(_) => {}
        }
    }
    for b in before.iter().filter(|b| !after.iter().any(|a| key(a) == key(b))) {
        out.push(Change {
            part: format!("{kind} {}", key(b)),
            change: "removed",
            before: json(b),
            after: String::new(),
        });
    }
}

pub fn changes(before: &Document, after: &Document) -> Vec<Change> {
    let mut out = Vec::new();
    keyed("rule", &before.rules, &after.rules, |r| &r.id, &mut out);
    if before.scorecard != after.scorecard {
        out.push(Change {
            part: "scorecard".into(),
            change: "changed",
            before: json(&before.scorecard),
            after: json(&after.scorecard),
        });
    }
    keyed("band", &before.bands, &after.bands, |b| &b.band, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ruleset::DEFAULT_DOCUMENT;

    #[test]
    fn a_tightened_rule_a_new_one_and_a_dropped_one() {
        let before: Document = serde_json::from_str(DEFAULT_DOCUMENT).unwrap();
        let mut after = before.clone();
        after.rules[0].when = "age < 30 || age > 55".into();
        after.rules.retain(|r| r.id != "IP_BURST");
        let mut extra = after.rules[0].clone();
        extra.id = "YOUNG".into();
        after.rules.push(extra);
        let found = changes(&before, &after);
        let parts: Vec<(&str, &str)> = found.iter().map(|c| (c.part.as_str(), c.change)).collect();
        assert_eq!(
            parts,
            vec![
                ("rule AGE", "changed"),
                ("rule YOUNG", "added"),
                ("rule IP_BURST", "removed")
            ]
        );
        assert!(found[0].after.contains("age < 30"));
        assert!(changes(&before, &before).is_empty());
    }
}
