//! The evidence chain (API.md §6.6): every acceptance of a document is a record — who, when, from
//! where, what (the document's template version and the SHA-256 of exactly what was shown) — and
//! each record carries the hash of the one before, so a record removed or altered breaks the chain
//! at that point, and records cut from its end no longer match its head.

use crate::contract::sha256_hex;

/// One record's content, without its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, diesel::Queryable)]
pub struct Record {
    pub seq: i64,
    pub user_id: String,
    pub at: i64,
    pub client_ip: String,
    /// `apply` (later: `confirm`).
    pub action: String,
    /// The application.
    pub subject: String,
    /// The template version of the document accepted.
    pub document: String,
    pub shown_sha256: String,
}

/// The record's hash: SHA-256 over the previous hash and every field, each length-prefixed so
/// that no two different records can write the same bytes.
pub fn link_hash(prev_hash: &str, r: &Record) -> String {
    let mut text = String::from("evidence v1");
    for field in [
        prev_hash,
        &r.seq.to_string(),
        &r.user_id,
        &r.at.to_string(),
        &r.client_ip,
        &r.action,
        &r.subject,
        &r.document,
        &r.shown_sha256,
    ] {
        text += &format!("\n{}:{field}", field.len());
    }
    sha256_hex(text.as_bytes())
}

/// A stored record with its links.
#[derive(Clone, Debug)]
pub struct Linked {
    pub record: Record,
    pub prev_hash: String,
    pub hash: String,
}

/// Walks the chain in order against its head `(seq, hash)`: the records checked, or where it breaks.
pub fn walk(chain: &[Linked], head: (i64, &str)) -> Result<u64, String> {
    let mut prev = String::new();
    for (i, link) in chain.iter().enumerate() {
        let expected = i as i64 + 1;
        let seq = link.record.seq;
        if seq != expected {
            return Err(format!("record {expected} is missing"));
        }
        if link.prev_hash != prev {
            return Err(format!("record {seq} does not follow record {}", seq - 1));
        }
        if link_hash(&prev, &link.record) != link.hash {
            return Err(format!("record {seq} was altered"));
        }
        prev = link.hash.clone();
    }
    let last = chain.len() as i64;
    if head != (last, prev.as_str()) {
        return Err(format!(
            "records after {last} are missing (the chain's head is at {})",
            head.0
        ));
    }
    Ok(chain.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Linked> {
        let mut prev = String::new();
        (1..=n)
            .map(|seq| {
                let record = Record {
                    seq,
                    user_id: format!("u-{seq}"),
                    at: 1_700_000_000_000 + seq,
                    client_ip: "10.0.0.1".into(),
                    action: "apply".into(),
                    subject: format!("a-{seq}"),
                    document: "loan-agreement.v1".into(),
                    shown_sha256: sha256_hex(seq.to_string().as_bytes()),
                };
                let hash = link_hash(&prev, &record);
                let linked = Linked {
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                linked
            })
            .collect()
    }

    fn head(c: &[Linked]) -> (i64, String) {
        c.last()
            .map_or((0, String::new()), |l| (l.record.seq, l.hash.clone()))
    }

    #[test]
    fn an_intact_chain_walks_to_its_head() {
        let c = chain(5);
        let (seq, hash) = head(&c);
        assert_eq!(walk(&c, (seq, &hash)), Ok(5));
        assert_eq!(walk(&[], (0, "")), Ok(0));
    }

    #[test]
    fn a_removed_altered_or_cut_record_is_found_where_it_is() {
        let c = chain(5);
        let (seq, hash) = head(&c);
        let mut removed = c.clone();
        removed.remove(2);
        assert_eq!(walk(&removed, (seq, &hash)), Err("record 3 is missing".into()));

        let mut altered = c.clone();
        altered[3].record.shown_sha256 = sha256_hex(b"other");
        assert_eq!(walk(&altered, (seq, &hash)), Err("record 4 was altered".into()));

        // Altered and rehashed: the next record no longer follows it.
        let mut rehashed = c.clone();
        rehashed[1].record.client_ip = "10.9.9.9".into();
        rehashed[1].hash = link_hash(&rehashed[1].prev_hash, &rehashed[1].record);
        assert_eq!(
            walk(&rehashed, (seq, &hash)),
            Err("record 3 does not follow record 2".into())
        );

        let cut = &c[..3];
        assert_eq!(
            walk(cut, (seq, &hash)),
            Err("records after 3 are missing (the chain's head is at 5)".into())
        );
    }
}
